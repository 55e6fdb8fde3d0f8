// Feeder side of worker mode: partitions one day of pings by (day, tile), broadcasts the case
// trajectories, and queues one job per tile. Batches are HCPINGS1 images with their own ids.
import { headers, type JetStreamClient } from 'nats';
import { resolveParams } from '../../geo/companion-engine.ts';
import { ArrayIds, encodePingImage, type PersonIds } from '../../geo/ping-format.ts';
import { rowsByTile } from '../../geo/tiles.ts';
import type { CompanionParams, PingColumns } from '../../geo/companion-types.ts';
import { CASE_HEADERS, subjects, type CompanionTopology, type TileJob } from './companion-streams.ts';

export interface FeedOptions {
  /** Pings per JetStream message (keep the message under the server's max_payload). */
  batchPings?: number;
  /** Tile size in degrees, default 0.1 (about 11 km). */
  tileDeg?: number;
  /** epoch seconds the run looked at the data; records end no later (default: no clamp) */
  asOf?: number;
  /** list name of the records (default telecom.companions) */
  list?: string;
}

/** Columns and ids of the given rows, with persons renumbered densely in first-seen order. */
function imageOf(pings: PingColumns, ids: PersonIds, rows: ArrayLike<number>): Uint8Array {
  const local = new Map<number, number>();
  const names: string[] = [];
  const n = rows.length;
  const cols = {
    person: new Uint32Array(n),
    ts: new Uint32Array(n),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    const p = pings.person[i]!;
    let l = local.get(p);
    if (l === undefined) {
      l = names.length;
      local.set(p, l);
      names.push(ids.get(p));
    }
    cols.person[k] = l;
    cols.ts[k] = pings.ts[i]!;
    cols.lat[k] = pings.lat[i]!;
    cols.lon[k] = pings.lon[i]!;
  }
  return encodePingImage(cols, new ArrayIds(names));
}

/** Publishes a day: the case broadcast, every tile's batches, then one job per tile. */
export async function publishCompanionDay(
  js: JetStreamClient,
  t: CompanionTopology,
  day: string,
  table: { columns: PingColumns; ids: PersonIds },
  casePersonIds: number[],
  params: CompanionParams,
  opts: FeedOptions = {},
): Promise<TileJob[]> {
  if (params.residence)
    throw new Error('the residence rule needs 14 days of history; not supported in worker mode');
  const pings = table.columns;
  const resolved = resolveParams(pings, params);
  const caseSet = new Set(casePersonIds);
  // Case ids go first in the broadcast's dictionary, in a fixed order, even without pings.
  const caseRows: number[] = [];
  for (let i = 0; i < pings.person.length; i++) if (caseSet.has(pings.person[i]!)) caseRows.push(i);
  const caseNames = [...caseSet].map((p) => table.ids.get(p));
  const h = headers();
  h.set(CASE_HEADERS.params, JSON.stringify(resolved));
  h.set(CASE_HEADERS.cases, JSON.stringify(caseNames));
  if (opts.asOf !== undefined) h.set(CASE_HEADERS.asOf, String(opts.asOf));
  if (opts.list !== undefined) h.set(CASE_HEADERS.list, opts.list);
  const casesAck = await js.publish(subjects.cases(t, day), imageOf(pings, table.ids, caseRows), {
    headers: h,
  });
  const batch = opts.batchPings ?? 16384;
  const jobs: TileJob[] = [];
  for (const [tile, rows] of rowsByTile(pings, opts.tileDeg ?? 0.1)) {
    const seqs: number[] = [];
    for (let s = 0; s < rows.length; s += batch) {
      const ack = await js.publish(
        subjects.pings(t, day, tile),
        imageOf(pings, table.ids, rows.subarray(s, s + batch)),
      );
      seqs.push(ack.seq);
    }
    jobs.push({ day, tile, batchSeqs: seqs, casesSeq: casesAck.seq, pings: rows.length });
  }
  for (const job of jobs) {
    await js.publish(subjects.jobs(t, day), JSON.stringify(job), {
      msgID: `companion-job:${day}:${job.tile}`,
    });
  }
  return jobs;
}
