/**
 * Risk areas (风险区) and their append-only history: what the risk-area service stores and reads.
 * One implementation serves PGlite and PostgreSQL (adapters/repositories/places/risk-area.repository.ts).
 */

export interface RiskAreaRow {
  id: number;
  name: string;
  level: 'high' | 'medium' | 'low';
  kind: 'polygon' | 'circle' | 'admin';
  geometry: unknown;
  center_lat: number | null;
  center_lon: number | null;
  radius_m: number | null;
  admin_code: string | null;
  region_code: string;
  starts_at: Date;
  lifted_at: Date | null;
  version: number;
  note: string | null;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

/** The editable part of an area (what publish and update write). */
export interface RiskAreaFields {
  name: string;
  level: RiskAreaRow['level'];
  kind: RiskAreaRow['kind'];
  geometry: unknown;
  center_lat: number | null;
  center_lon: number | null;
  radius_m: number | null;
  admin_code: string | null;
  region_code: string;
  starts_at: Date;
  lifted_at: Date | null;
  note: string | null;
}

/** One change of an area: who, when, what changed and the whole area after it. */
export interface RiskAreaHistoryEntry {
  action: string;
  actor: string;
  at: Date;
  changes: Record<string, unknown>;
  snapshot: Record<string, unknown>;
}

export interface RiskAreaHistoryRow extends RiskAreaHistoryEntry {
  version: number;
}

export interface RiskAreaStore {
  /** Inserts a new area (version 1) and its first history row atomically; returns the area. */
  publish(fields: RiskAreaFields, history: RiskAreaHistoryEntry): Promise<RiskAreaRow>;
  /**
   * Writes new fields and their history row atomically when the area is still at `version`
   * (optimistic lock); undefined when someone else changed it first.
   */
  update(
    id: number,
    version: number,
    fields: RiskAreaFields,
    history: RiskAreaHistoryEntry,
  ): Promise<RiskAreaRow | undefined>;
  /** One area by id. */
  get(id: number): Promise<RiskAreaRow | undefined>;
  /** Areas active at `at`. */
  activeAt(at: Date): Promise<RiskAreaRow[]>;
  /** Areas whose active window reaches past `since` (all that can match stays after it). */
  activeSince(since: Date): Promise<RiskAreaRow[]>;
  /** Every area whose county starts with the prefix, newest first (officer console). */
  inRegion(prefix: string, limit: number): Promise<RiskAreaRow[]>;
  /** An area's history, oldest first. */
  history(id: number): Promise<RiskAreaHistoryRow[]>;
  /** A cheap fingerprint of all areas: changes whenever any area changes (index cache check). */
  fingerprint(): Promise<string>;
}
