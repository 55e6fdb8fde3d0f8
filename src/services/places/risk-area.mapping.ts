/** Risk-area rows ↔ index entries and GeoJSON features (shared by the service, routes and bench). */
import { circleRing, parsePolygonal, type AreaGeometry } from '../../geo/areas/area-geometry.ts';
import type { IndexedArea } from '../../geo/areas/area-index.ts';
import type { RiskAreaRow } from '../../ports/risk-area-store.port.ts';
import { adminDivision } from '../../domain/places/admin-divisions.ts';
import { cityName } from '../../domain/regions.ts';

/** The matchable geometry of a row (null for admin-code areas). */
export function geometryOf(r: RiskAreaRow): AreaGeometry | null {
  if (r.kind === 'circle' && r.center_lat !== null && r.center_lon !== null && r.radius_m !== null) {
    return { kind: 'circle', lat: r.center_lat, lon: r.center_lon, radiusM: r.radius_m };
  }
  if (r.kind === 'polygon') {
    const p = parsePolygonal(r.geometry);
    return p.ok ? p.geometry : null;
  }
  return null;
}

export function toIndexed(r: RiskAreaRow): IndexedArea {
  return {
    id: r.id,
    level: r.level,
    startsAt: new Date(r.starts_at).getTime(),
    liftedAt: r.lifted_at ? new Date(r.lifted_at).getTime() : Infinity,
    geometry: geometryOf(r),
    adminCode: r.kind === 'admin' ? r.admin_code : null,
  };
}

export interface RiskAreaFeature {
  type: 'Feature';
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
}

/**
 * A GeoJSON Feature. Polygons as drawn; circles as a 32-gon (with center and radiusM in the
 * properties, matching uses the true circle); admin-code areas have geometry null (no boundary
 * data ships with the platform) and carry adminCode and adminName instead.
 */
export function toFeature(r: RiskAreaRow): RiskAreaFeature {
  let geometry: unknown = null;
  if (r.kind === 'polygon') geometry = r.geometry;
  else if (r.kind === 'circle' && r.center_lat !== null && r.center_lon !== null && r.radius_m !== null) {
    geometry = { type: 'Polygon', coordinates: [circleRing(r.center_lat, r.center_lon, r.radius_m)] };
  }
  const props: Record<string, unknown> = {
    id: r.id,
    name: r.name,
    level: r.level,
    levelName: r.level === 'high' ? '高风险' : r.level === 'medium' ? '中风险' : '低风险',
    kind: r.kind,
    regionCode: r.region_code,
    cityName: cityName(r.region_code.slice(0, 4)) ?? null,
    startsAt: new Date(r.starts_at).toISOString(),
    liftedAt: r.lifted_at ? new Date(r.lifted_at).toISOString() : null,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
  if (r.admin_code) {
    props.adminCode = r.admin_code;
    props.adminName = adminDivision(r.admin_code)?.name ?? null;
  }
  if (r.kind === 'circle') {
    props.center = { lat: r.center_lat, lon: r.center_lon };
    props.radiusM = r.radius_m;
  }
  return { type: 'Feature', id: r.id, geometry, properties: props };
}
