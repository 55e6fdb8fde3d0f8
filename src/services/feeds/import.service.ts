/**
 * Bulk import of a feed file (`hc import`): blocks of lines are validated and written one
 * transaction each while the next block is read, good rows kept and bad rows reported with their
 * line, field and code. Pings files and the person feeds' files are read and checked on a worker
 * thread by the reader the caller passes in (ports/feed-file.port.ts); registry files are checked here.
 * A killed import leaves whole blocks only; running it again counts them as duplicates and writes
 * the rest.
 */
import { isPersonFeed } from '../../domain/feeds/person-feeds.ts';
import { rowError, type RowError } from '../../domain/feeds/record.ts';
import type { FeedFileReader, FileFormat, ReadBlock } from '../../ports/feed-file.port.ts';
import type { BatchResult, FeedName, IngestItem } from './feed-types.ts';
import { BLOCK_LINES, type IngestService } from './ingest.service.ts';

export interface ImportSummary {
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: number;
  stays?: number;
}

export interface ImportHooks {
  onError?: (e: RowError) => void;
  onProgress?: (s: ImportSummary, bytesRead: number) => void;
  /** condense pings into stays at the end (default true) */
  stays?: boolean;
  onStaysProgress?: (persons: number, total: number) => void;
  /** lines per block, one transaction each (default BLOCK_LINES[feed]) */
  blockLines?: number;
}

/**
 * Imports a feed file: pings and the person feeds read and checked on a second core, the registry
 * (persons) block by block here.
 */
export function importFile(
  ingest: IngestService,
  files: FeedFileReader,
  feed: FeedName,
  path: string,
  format: FileFormat,
  hooks: ImportHooks = {},
): Promise<ImportSummary> {
  const lines = hooks.blockLines ?? BLOCK_LINES[feed];
  if (feed === 'pings') {
    const blocks = files.checkedPings(path, format, lines, () => ingest.pings.bounds());
    return runBlocks(
      ingest,
      feed,
      mapBlocks(blocks, (b) => ({
        rows: b.rows,
        bytesRead: b.bytesRead,
        written: ingest.ingestCheckedPings(b.cols, b.errors, `file:${b.key}`),
      })),
      hooks,
    );
  }
  if (isPersonFeed(feed)) {
    const blocks = files.checkedRecords(path, format, lines, feed, ingest.lookupHashKey, () =>
      ingest.deps.clock.now(),
    );
    return runBlocks(
      ingest,
      feed,
      mapBlocks(blocks, (b) => ({
        rows: b.rowCount,
        bytesRead: b.bytesRead,
        written: ingest.ingest(feed, b.checked, `file:${b.key}`, true),
      })),
      hooks,
    );
  }
  return importBlocks(ingest, feed, files.blocks(path, format, lines), hooks);
}

/** Imports blocks of a file, checked here; returns the counts. */
export function importBlocks(
  ingest: IngestService,
  feed: FeedName,
  blocks: AsyncIterable<ReadBlock>,
  hooks: ImportHooks = {},
): Promise<ImportSummary> {
  const work = mapBlocks(blocks, (block) => {
    const items: IngestItem[] = [];
    const unreadable: RowError[] = [];
    for (const it of block.items) {
      if ('problem' in it) unreadable.push(rowError(it.line, it.problem));
      else items.push(it);
    }
    const write = ingest.ingest(feed, items, `file:${block.key}`, true);
    return {
      rows: block.items.length,
      bytesRead: block.bytesRead,
      written: unreadable.length
        ? write.then((r) => ({ ...r, errors: [...unreadable, ...r.errors] }))
        : write,
    };
  });
  return runBlocks(ingest, feed, work, hooks);
}

/** A block being written: its write started when the block was taken from the file. */
interface BlockWrite {
  rows: number;
  bytesRead: number;
  written: Promise<BatchResult>;
}

async function* mapBlocks<T>(
  blocks: AsyncIterable<T>,
  start: (b: T) => BlockWrite,
): AsyncGenerator<BlockWrite> {
  for await (const b of blocks) yield start(b);
}

/** Takes the blocks' writes in file order, a few in flight, and adds up their results. */
async function runBlocks(
  ingest: IngestService,
  feed: FeedName,
  blocks: AsyncIterable<BlockWrite>,
  hooks: ImportHooks,
): Promise<ImportSummary> {
  const s: ImportSummary = { accepted: 0, duplicates: 0, rejected: 0, rows: 0 };
  const pingDays = new Map<number, Set<number>>();
  let inflight: Promise<void> | undefined;
  // Blocks in the database while the next is parsed: one for pings (50 000-row blocks, the COPY is
  // the work) and persons, three for the fact feeds, whose blocks pipeline (IngestService.ingest:
  // checks ahead, blocks of different persons written and recomputed side by side). Memory stays
  // bounded.
  const depth = feed === 'pings' || feed === 'persons' ? 1 : 3;
  const queue: Array<Promise<void>> = [];
  try {
    for await (const { rows, bytesRead, written } of blocks) {
      await yieldToTimers();
      s.rows += rows;
      written.catch(() => undefined); // awaited below, in order; this only silences the early-rejection warning
      const prev = inflight;
      inflight = (async () => {
        if (prev) await prev;
        const r = await written;
        s.accepted += r.accepted;
        s.duplicates += r.duplicates;
        // bad rows in line order (stable: a line keeps its one error)
        for (const e of r.errors.sort((a, b) => a.line - b.line)) {
          s.rejected++;
          hooks.onError?.(e);
        }
        for (const [day, ids] of r.pingDays ?? []) {
          let set = pingDays.get(day);
          if (!set) pingDays.set(day, (set = new Set()));
          for (const id of ids) set.add(id);
        }
        hooks.onProgress?.({ ...s }, bytesRead);
      })();
      inflight.catch(() => undefined);
      queue.push(inflight);
      while (queue.length > depth) await queue.shift();
    }
    if (inflight) await inflight;
  } finally {
    await inflight?.catch(() => undefined);
    await ingest.finishBulk();
  }
  if (feed === 'pings' && pingDays.size && hooks.stays !== false) {
    const total = [...pingDays.values()].reduce((n, x) => n + x.size, 0);
    s.stays = await ingest.condense(pingDays, (n) => hooks.onStaysProgress?.(n, total));
  }
  return s;
}

/**
 * Lets timers run (the progress line) between blocks: on the embedded database a block's work is
 * one chain of promise callbacks, and blocks handed over by a reader thread need no I/O wait in
 * between, so without this the progress line of `hc import` froze until the end.
 */
const yieldToTimers = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
