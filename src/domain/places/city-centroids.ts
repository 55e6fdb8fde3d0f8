/**
 * Coarse position → prefecture lookup for stays that arrive without a region code (docs/PLACES.md
 * §Itinerary). A nearest-centroid table for the demo provinces (Guizhou and its neighbours, plus
 * the largest cities): a position belongs to the nearest listed prefecture centre when that centre
 * is within `maxKm`, otherwise it is unknown and the stay is left off the card. Good enough to
 * name the city a phone was in for the demo; a production deployment resolves region codes from
 * boundary polygons at ingestion instead.
 */
import { haversineM } from '../../geo/areas/area-geometry.ts';

/** [4-digit GB/T 2260 prefecture code, lat, lon] of the city centre */
export const CITY_CENTROIDS: ReadonlyArray<readonly [string, number, number]> = [
  ['5201', 26.647, 106.63], // 贵阳市
  ['5202', 26.593, 104.83], // 六盘水市
  ['5203', 27.726, 106.927], // 遵义市
  ['5204', 26.245, 105.932], // 安顺市
  ['5205', 27.302, 105.284], // 毕节市
  ['5206', 27.718, 109.191], // 铜仁市
  ['5223', 25.088, 104.897], // 黔西南州
  ['5226', 26.583, 107.977], // 黔东南州
  ['5227', 26.258, 107.517], // 黔南州
  ['5001', 29.563, 106.551], // 重庆市
  ['5101', 30.572, 104.066], // 成都市
  ['5301', 25.04, 102.712], // 昆明市
  ['4301', 28.228, 112.939], // 长沙市
  ['4501', 22.817, 108.366], // 南宁市
  ['4401', 23.129, 113.264], // 广州市
  ['4403', 22.543, 114.058], // 深圳市
  ['1101', 39.904, 116.407], // 北京市
  ['3101', 31.23, 121.474], // 上海市
];

/** The 4-digit prefecture code of the nearest listed centre within maxKm, or undefined. */
export function nearestPrefecture(lat: number, lon: number, maxKm = 120): string | undefined {
  let best: string | undefined;
  let bestM = maxKm * 1000;
  for (const [code, clat, clon] of CITY_CENTROIDS) {
    const d = haversineM(lat, lon, clat, clon);
    if (d <= bestM) {
      bestM = d;
      best = code;
    }
  }
  return best;
}
