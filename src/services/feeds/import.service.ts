/**
 * Bulk import of a feed file (`hc import`): blocks of lines are validated and written one
 * transaction each while the next block is read, good rows kept and bad rows reported with their
 * line, field and code. A killed import leaves whole blocks only; running it again counts them as
 * duplicates and writes the rest.
 */
import type { RawRecord, RowError, RowProblem } from '../../domain/feeds/record.ts';
import { rowError, type FeedName, type IngestItem } from './feed-types.ts';
import type { IngestService } from './ingest.service.ts';

export interface ImportBlock {
  items: Array<{ line: number; record: RawRecord } | { line: number; problem: RowProblem }>;
  /** content hash of the block: the same file splits the same way on every run */
  key: string;
  bytesRead: number;
}

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
}

/** Imports blocks of a file; returns the counts. */
export async function importBlocks(
  ingest: IngestService,
  feed: FeedName,
  blocks: AsyncIterable<ImportBlock>,
  hooks: ImportHooks = {},
): Promise<ImportSummary> {
  const s: ImportSummary = { accepted: 0, duplicates: 0, rejected: 0, rows: 0 };
  const pingDays = new Map<number, Set<number>>();
  const report = (e: RowError) => {
    s.rejected++;
    hooks.onError?.(e);
  };
  let inflight: Promise<void> | undefined;
  // Blocks in the database while the next is parsed: one for pings (50 000-row blocks, the COPY is
  // the work) and persons, three for the fact feeds, whose blocks pipeline (IngestService.ingest:
  // checks ahead, blocks of different persons written and recomputed side by side). Memory stays
  // bounded.
  const depth = feed === 'pings' || feed === 'persons' ? 1 : 3;
  const queue: Array<Promise<void>> = [];
  try {
    for await (const block of blocks) {
      const items: IngestItem[] = [];
      for (const it of block.items) {
        s.rows++;
        if ('problem' in it) report(rowError(it.line, it.problem));
        else items.push(it);
      }
      const key = `file:${block.key}`;
      const bytesRead = block.bytesRead; // the closure below keeps this, not the block's rows
      const write = ingest.ingest(feed, items, key, true);
      write.catch(() => undefined); // awaited below, in order; this only silences the early-rejection warning
      const prev = inflight;
      inflight = (async () => {
        if (prev) await prev;
        const r = await write;
        s.accepted += r.accepted;
        s.duplicates += r.duplicates;
        for (const e of r.errors.sort((a, b) => a.line - b.line)) report(e);
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
