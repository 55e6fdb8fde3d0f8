/**
 * Risk areas (风险区): officers publish high/medium/low areas as GeoJSON polygons, point + radius
 * or admin-code divisions, with start and lift times, only inside their region prefix. Every
 * change is a new version with a history row (who, when, what changed) and an audit entry; a
 * publish or change re-matches the last 14 days of stays. Holds the shared AreaIndex, rebuilt
 * when the table's fingerprint changes (checked at most every few seconds).
 */
import type { RiskAreaFields, RiskAreaRow, RiskAreaStore } from '../../ports/risk-area-store.port.ts';
import { parsePolygonal, type AreaGeometry } from '../../geo/areas/area-geometry.ts';
import { AreaIndex, type AreaLevel } from '../../geo/areas/area-index.ts';
import { adminDivision } from '../../domain/places/admin-divisions.ts';
import { checkAreaInRegion } from '../../domain/places/area-region.ts';
import { countyName } from '../../domain/regions.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import { AppError } from '../app-error.ts';
import type { AuditService } from '../audit.service.ts';
import type { AreaMatcherService, MatchReport } from './area-matcher.service.ts';
import type { TripExposureService } from './trip-exposure.service.ts';
import { toFeature, toIndexed, type RiskAreaFeature } from './risk-area.mapping.ts';

const DAY = 86_400_000;

export interface AreaInput {
  name?: string;
  level?: AreaLevel;
  /** GeoJSON Polygon or MultiPolygon ([lon, lat]) */
  geometry?: unknown;
  center?: { lat: number; lon: number };
  radiusM?: number;
  /** 6-digit county, 9-digit street, 12-digit community */
  adminCode?: string;
  /** county the area lies in; derived from adminCode when given */
  regionCode?: string;
  startsAt?: string;
  liftedAt?: string | null;
  note?: string | null;
}

/** Who is acting: an officer may only touch areas inside their region prefix. */
export interface AreaActor {
  actor: string;
  regionPrefix: string;
}

export interface PlacesAreaOptions {
  maxAccuracyM: number;
  lookbackDays: number;
  /** how often the shared index checks the table for changes by other processes */
  indexCheckMs: number;
}

export class RiskAreaService {
  private cached:
    { index: AreaIndex; rows: Map<number, RiskAreaRow>; fingerprint: string; checkedAt: number } | undefined;
  matcher: AreaMatcherService | undefined;
  /** trips into or out of the area's region are re-matched too */
  trips: TripExposureService | undefined;

  constructor(
    private readonly repo: RiskAreaStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    readonly opts: PlacesAreaOptions,
    /** a new version, its history row and its audit entry commit together; the re-match follows the commit */
    private readonly uow: UnitOfWork,
  ) {}

  /** Publishes a new area, keeps history, audits, and re-matches the last 14 days. */
  async publish(who: AreaActor, input: AreaInput): Promise<{ area: RiskAreaFeature; rematch: MatchReport }> {
    const now = this.clock.now();
    const fields = this.validate(input, undefined, now);
    this.checkScope(who, fields.region_code);
    this.checkGeometryScope(who, fields);
    const row = await this.uow.run(async (s) => {
      const row = await s.riskAreas.publish(fields, {
        action: 'publish',
        actor: who.actor,
        at: new Date(now),
        changes: summary(fields),
        snapshot: summary(fields),
      });
      await this.audit.appendTo(s.audit, {
        actor: who.actor,
        action: 'risk-area.publish',
        detail: { areaId: row.id, level: row.level, name: row.name, regionCode: row.region_code },
      });
      return row;
    });
    return { area: toFeature(row), rematch: await this.afterChange(row) };
  }

  /** Changes an area (a new version); `liftedAt` set = lifted. Re-matches with the new shape. */
  async update(
    who: AreaActor,
    id: number,
    input: AreaInput,
    action: 'update' | 'lift' = 'update',
  ): Promise<{ area: RiskAreaFeature; rematch: MatchReport }> {
    const now = this.clock.now();
    const old = await this.repo.get(id);
    if (!old || !old.region_code.startsWith(who.regionPrefix))
      throw new AppError('AREA_NOT_FOUND', 404, 'no such risk area in your region');
    const fields = this.validate(input, old, now);
    this.checkScope(who, fields.region_code);
    // A new shape is checked; lifting or renaming an older area is not blocked by it.
    if (input.geometry !== undefined || input.center !== undefined) this.checkGeometryScope(who, fields);
    const before = summary(fieldsOf(old));
    const after = summary(fields);
    const changes: Record<string, unknown> = {};
    for (const k of Object.keys(after)) {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k]))
        changes[k] = { from: before[k] ?? null, to: after[k] ?? null };
    }
    if (Object.keys(changes).length === 0)
      return { area: toFeature(old), rematch: { stays: 0, matches: 0, facts: 0, persons: 0, ms: 0 } };
    const row = await this.uow.run(async (s) => {
      const row = await s.riskAreas.update(id, old.version, fields, {
        action,
        actor: who.actor,
        at: new Date(now),
        changes,
        snapshot: after,
      });
      if (!row)
        throw new AppError('AREA_CHANGED', 409, 'the area was changed by someone else; reload and try again');
      await this.audit.appendTo(s.audit, {
        actor: who.actor,
        action: `risk-area.${action}`,
        detail: { areaId: id, version: row.version, changes },
      });
      return row;
    });
    return { area: toFeature(row), rematch: await this.afterChange(row) };
  }

  /** Lifts an area at `at` (default now). */
  async lift(
    who: AreaActor,
    id: number,
    at?: string,
  ): Promise<{ area: RiskAreaFeature; rematch: MatchReport }> {
    return this.update(who, id, { liftedAt: at ?? new Date(this.clock.now()).toISOString() }, 'lift');
  }

  /** Areas active now as a GeoJSON FeatureCollection (public). */
  async current(): Promise<{ type: 'FeatureCollection'; generatedAt: string; features: RiskAreaFeature[] }> {
    const now = this.clock.now();
    const rows = await this.repo.activeAt(new Date(now));
    return {
      type: 'FeatureCollection',
      generatedAt: new Date(now).toISOString(),
      features: rows.map(toFeature),
    };
  }

  /** Every area of the officer's region, lifted ones included (console). */
  async inRegion(who: AreaActor, limit = 500): Promise<RiskAreaFeature[]> {
    return (await this.repo.inRegion(who.regionPrefix, limit)).map(toFeature);
  }

  /** One area with its full history. */
  async withHistory(who: AreaActor, id: number) {
    const row = await this.repo.get(id);
    if (!row || !row.region_code.startsWith(who.regionPrefix))
      throw new AppError('AREA_NOT_FOUND', 404, 'no such risk area in your region');
    const history = (await this.repo.history(id)).map((h) => ({ ...h, at: new Date(h.at).toISOString() }));
    return { area: toFeature(row), history };
  }

  /** 4-digit prefecture codes with a medium or high area active now (itinerary stars). */
  async starredCities(): Promise<Set<string>> {
    const rows = await this.repo.activeAt(new Date(this.clock.now()));
    return new Set(rows.filter((r) => r.level !== 'low').map((r) => r.region_code.slice(0, 4)));
  }

  /** The shared index of every area that can still match a stay of the lookback window. */
  async index(): Promise<{ index: AreaIndex; rows: ReadonlyMap<number, RiskAreaRow> }> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.checkedAt < this.opts.indexCheckMs) return this.cached;
    const fingerprint = await this.repo.fingerprint();
    if (this.cached && this.cached.fingerprint === fingerprint) {
      this.cached.checkedAt = now;
      return this.cached;
    }
    const rows = await this.repo.activeSince(new Date(now - (this.opts.lookbackDays + 1) * DAY));
    this.cached = {
      index: new AreaIndex(rows.map(toIndexed), { maxAccuracyM: this.opts.maxAccuracyM }),
      rows: new Map(rows.map((r) => [r.id, r])),
      fingerprint,
      checkedAt: now,
    };
    return this.cached;
  }

  private async afterChange(row: RiskAreaRow): Promise<MatchReport> {
    this.cached = undefined;
    const t0 = performance.now();
    const r: MatchReport = this.matcher
      ? await this.matcher.rematchArea(row, this.opts.maxAccuracyM)
      : { stays: 0, matches: 0, facts: 0, persons: 0, ms: 0 };
    if (this.trips) {
      const t = await this.trips.rematchArea(row);
      r.facts += t.facts;
      r.ms = Math.round(performance.now() - t0);
    }
    return r;
  }

  private checkScope(who: AreaActor, regionCode: string): void {
    if (!regionCode.startsWith(who.regionPrefix)) {
      throw new AppError(
        'AREA_OUT_OF_REGION',
        403,
        `you may publish areas only inside region ${who.regionPrefix || '(all)'}`,
      );
    }
  }

  /** The drawn shape itself must lie in the officer's region, not only its label (docs/SECURITY.md). */
  private checkGeometryScope(who: AreaActor, f: RiskAreaFields): void {
    let g: AreaGeometry | undefined;
    if (f.kind === 'circle' && f.center_lat !== null && f.center_lon !== null && f.radius_m !== null)
      g = { kind: 'circle', lat: f.center_lat, lon: f.center_lon, radiusM: f.radius_m };
    else if (f.kind === 'polygon') {
      const p = parsePolygonal(f.geometry);
      if (p.ok) g = p.geometry;
    }
    if (!g) return; // admin-code areas: the code is the shape, checked by checkScope
    const r = checkAreaInRegion(g, who.regionPrefix);
    if (r.ok) return;
    throw new AppError(
      'AREA_GEOMETRY_OUT_OF_REGION',
      403,
      r.reason === 'outside'
        ? `the area's shape reaches outside region ${who.regionPrefix} (point ${r.lat.toFixed(4)}, ${r.lon.toFixed(4)})`
        : `the shape of an area in region ${who.regionPrefix} can't be checked: no reference position for it`,
    );
  }

  /** Merges input over an existing row (update) or nothing (publish) and validates the result. */
  private validate(input: AreaInput, old: RiskAreaRow | undefined, now: number): RiskAreaFields {
    const base: RiskAreaFields = old
      ? fieldsOf(old)
      : {
          name: '',
          level: 'medium',
          kind: 'admin',
          geometry: null,
          center_lat: null,
          center_lon: null,
          radius_m: null,
          admin_code: null,
          region_code: '',
          starts_at: new Date(now),
          lifted_at: null,
          note: null,
        };
    const f: RiskAreaFields = { ...base };
    if (input.name !== undefined) f.name = input.name.trim();
    if (input.level !== undefined) f.level = input.level;
    if (input.note !== undefined) f.note = input.note;
    const shapes = [
      input.geometry !== undefined,
      input.center !== undefined || input.radiusM !== undefined,
    ].filter(Boolean).length;
    if (shapes > 1)
      throw new AppError('AREA_SHAPE', 400, 'give either geometry or center + radiusM, not both');
    if (input.geometry !== undefined) {
      const p = parsePolygonal(input.geometry);
      if (!p.ok) throw new AppError('AREA_GEOMETRY', 400, `geometry: ${p.reason}`);
      Object.assign(f, {
        kind: 'polygon',
        geometry: input.geometry,
        center_lat: null,
        center_lon: null,
        radius_m: null,
      });
    } else if (input.center !== undefined || input.radiusM !== undefined) {
      const c = input.center;
      const r = input.radiusM;
      if (
        !c ||
        r === undefined ||
        !(r >= 1 && r <= 50_000) ||
        !(Math.abs(c.lat) <= 90) ||
        !(Math.abs(c.lon) <= 180)
      ) {
        throw new AppError(
          'AREA_CIRCLE',
          400,
          'a circle needs center {lat, lon} and radiusM between 1 and 50000',
        );
      }
      Object.assign(f, { kind: 'circle', geometry: null, center_lat: c.lat, center_lon: c.lon, radius_m: r });
    }
    if (input.adminCode !== undefined) {
      const d = adminDivision(input.adminCode);
      if (!d)
        throw new AppError(
          'AREA_ADMIN_CODE',
          400,
          `unknown division code ${input.adminCode} (county 6, street 9 or community 12 digits)`,
        );
      f.admin_code = d.code;
      f.region_code = d.county;
      if (input.geometry === undefined && input.center === undefined && !old) f.kind = 'admin';
      if (!f.name) f.name = d.name;
    }
    if (input.regionCode !== undefined) {
      if (!countyName(input.regionCode))
        throw new AppError('AREA_REGION', 400, `regionCode must be a known 6-digit county code`);
      if (f.admin_code && f.admin_code.slice(0, 6) !== input.regionCode)
        throw new AppError('AREA_REGION', 400, 'regionCode differs from the adminCode county');
      f.region_code = input.regionCode;
    }
    if (f.kind === 'admin' && !f.admin_code)
      throw new AppError('AREA_SHAPE', 400, 'give geometry, center + radiusM, or adminCode');
    if (!f.region_code)
      throw new AppError(
        'AREA_REGION',
        400,
        'regionCode (the county the area lies in) is required for drawn areas',
      );
    if (!f.name || f.name.length > 200)
      throw new AppError('AREA_NAME', 400, 'name is required (at most 200 characters)');
    if (input.startsAt !== undefined) f.starts_at = parseTime(input.startsAt, 'startsAt');
    if (input.liftedAt !== undefined)
      f.lifted_at = input.liftedAt === null ? null : parseTime(input.liftedAt, 'liftedAt');
    // Lifted at its start = withdrawn: an empty window, never active.
    if (f.lifted_at && f.lifted_at.getTime() < f.starts_at.getTime())
      throw new AppError('AREA_TIMES', 400, 'liftedAt must not be before startsAt');
    return f;
  }
}

function parseTime(s: string, what: string): Date {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new AppError('AREA_TIMES', 400, `${what} must be an ISO 8601 time`);
  return new Date(t);
}

function fieldsOf(r: RiskAreaRow): RiskAreaFields {
  return {
    name: r.name,
    level: r.level,
    kind: r.kind,
    geometry: r.geometry,
    center_lat: r.center_lat,
    center_lon: r.center_lon,
    radius_m: r.radius_m,
    admin_code: r.admin_code,
    region_code: r.region_code,
    starts_at: new Date(r.starts_at),
    lifted_at: r.lifted_at ? new Date(r.lifted_at) : null,
    note: r.note,
  };
}

/** JSON-friendly view of the fields for history rows. */
function summary(f: RiskAreaFields): Record<string, unknown> {
  return {
    name: f.name,
    level: f.level,
    kind: f.kind,
    geometry: f.geometry ?? undefined,
    center: f.center_lat !== null ? { lat: f.center_lat, lon: f.center_lon } : undefined,
    radiusM: f.radius_m ?? undefined,
    adminCode: f.admin_code ?? undefined,
    regionCode: f.region_code,
    startsAt: f.starts_at.toISOString(),
    liftedAt: f.lifted_at ? f.lifted_at.toISOString() : null,
    note: f.note ?? undefined,
  };
}
