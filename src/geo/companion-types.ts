// Shapes shared by the companion engine (时空伴随), its file formats and its workers.
import type { GridOrigin } from './companion-grid.ts';

/**
 * Location pings as columns. Person ids are dense integers in [0, personCount); ts is integer epoch
 * seconds. Row order is free: the engine sorts.
 */
export interface PingColumns {
  person: Uint32Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
  /** Exclusive upper bound of the person ids. */
  personCount: number;
  /**
   * Rows are grouped by person in ascending id order (HCPINGS1 flag bit 0). The engine then skips
   * its counting sort and orders each person's rows by time in place, in these arrays.
   */
  sortedByPerson?: boolean;
}

export type CompanionMode = 'radius' | 'grid';

/** Residence rule (Chengdu): keep a pair only where one party was in that cell > minSeconds. */
export interface ResidenceRule {
  /** End (exclusive) of the look-back window, epoch seconds. Default: max ping ts + gap. */
  asOf?: number;
  /** Length of the window in seconds, default 14 days. */
  windowS?: number;
  /** Strict lower bound on the residence in seconds, default 30 h. */
  minSeconds?: number;
}

export interface CompanionParams {
  mode: CompanionMode;
  /** Radius mode: maximum haversine distance in metres (inclusive), default 800. */
  radiusM?: number;
  /** Grid mode: cell size in metres, default 800. */
  cellM?: number;
  /** Grid mode: grid origin, default the minimum lat and minimum lon of all pings. */
  gridOrigin?: GridOrigin;
  /** Presence gap G in seconds, default 1800. */
  gapS?: number;
  /** Threshold in seconds (inclusive), default 600. */
  minSeconds?: number;
  /** Grid mode only. */
  residence?: ResidenceRule | boolean;
}

/** Parameters with every default filled in; what a worker thread or a tile worker receives. */
export interface ResolvedParams {
  mode: CompanionMode;
  radiusM: number;
  cellM: number;
  gridOrigin: GridOrigin;
  gapS: number;
  minSeconds: number;
  residence: { asOf: number; windowS: number; minSeconds: number } | null;
}

/**
 * Companion pairs as columns, sorted by (person, caseId). caseId is the case's person id.
 * lastTs is the exclusive end of the last co-located overlap, so lastTs − firstTs ≥ seconds.
 */
export interface CompanionPairs {
  count: number;
  person: Uint32Array;
  caseId: Uint32Array;
  seconds: Float64Array;
  firstTs: Float64Array;
  lastTs: Float64Array;
}

export interface CompanionPair {
  person: number;
  caseId: number;
  seconds: number;
  firstTs: number;
  lastTs: number;
}

/** Read pair i of a column set as an object (for tests and small outputs, not the hot path). */
export function pairAt(p: CompanionPairs, i: number): CompanionPair {
  return {
    person: p.person[i]!,
    caseId: p.caseId[i]!,
    seconds: p.seconds[i]!,
    firstTs: p.firstTs[i]!,
    lastTs: p.lastTs[i]!,
  };
}

export function pairsToArray(p: CompanionPairs): CompanionPair[] {
  const out: CompanionPair[] = [];
  for (let i = 0; i < p.count; i++) out.push(pairAt(p, i));
  return out;
}
