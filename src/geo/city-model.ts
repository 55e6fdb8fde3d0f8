// A deterministic synthetic city (贵阳 Guiyang) for companion runs: homes and workplaces around real
// district centres, commutes, diurnal ping times at irregular intervals and cell-tower positions.
// Pure: the same (seed, person) always gives the same pings, whatever block they are generated in.

/** Centre of the reference city, docs/DESIGN.md §6 benchmarks. */
export const GUIYANG = { lat: 26.647, lon: 106.6302 };

// [lat, lon, weight, spread km, core]. Spreads give peak densities near the real ones: about
// 10-12 thousand people per km² in 云岩/南明, a few thousand in the outer districts.
const DISTRICTS: Array<[number, number, number, number, boolean]> = [
  [26.647, 106.6302, 0.6, 4.0, true], // 观山湖/金阳
  [26.604, 106.714, 1.0, 4.0, true], // 云岩
  [26.568, 106.715, 1.1, 4.2, true], // 南明
  [26.601, 106.625, 0.7, 4.5, true], // 观山湖 south
  [26.433, 106.67, 0.8, 7.0, false], // 花溪
  [26.679, 106.623, 0.4, 5.0, false], // 白云
  [26.63, 106.752, 0.5, 6.0, false], // 乌当
  [26.556, 106.47, 0.5, 8.0, false], // 清镇
  [26.838, 106.592, 0.3, 8.0, false], // 修文
  [27.092, 106.74, 0.25, 8.0, false], // 息烽
  [27.057, 106.965, 0.35, 8.0, false], // 开阳
];
const CORE = DISTRICTS.map((d, i) => (d[4] ? i : -1)).filter((i) => i >= 0);
const KM_LAT = 1 / 111.195;
const KM_LON = 1 / (111.195 * Math.cos((GUIYANG.lat * Math.PI) / 180));
// Ping likelihood per hour of the day (phones are quieter at night).
const HOURS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 4, 3.5, 3, 3.2, 3.5, 3, 3, 3, 3.2, 3.8, 4, 4, 3.8, 3.2, 2.4, 1.6,
];
const HOUR_CUM = cumulative(HOURS);
const DISTRICT_CUM = cumulative(DISTRICTS.map((d) => d[2]));

/** Persons per generation block; ping quotas are fixed per block so output is chunk-independent. */
export const CITY_BLOCK = 4096;

export interface CityOptions {
  people: number;
  pingsPerDay: number;
  seed: number;
  days: number;
  /** Epoch seconds of the first day's 00:00 local time. */
  startTs: number;
}

/** Small, fast, seedable PRNG (mulberry32). */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  gauss(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}

/** 32-bit mix of several integers (splitmix-like); a bijection in the last argument. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = 0x9e3779b9;
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, c);
  return mix(h, d) >>> 0;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// Scratch result of truePosition/tower, to keep the per-ping path free of allocations.
let pLat = 0;
let pLon = 0;

/** Pseudonymous, unique, fixed-length person id of the i-th generated person. */
export function cityPersonId(i: number, seed: number): string {
  // x ↦ x·odd + c is a bijection on 32-bit integers, so ids never collide.
  const v = (Math.imul(i, 0x2c1b3c6d) + hash32(seed)) >>> 0;
  return 'u' + v.toString(36).padStart(7, '0');
}

interface Profile {
  homeLat: number;
  homeLon: number;
  workLat: number;
  workLon: number;
  kind: number;
  leave: number;
  back: number;
  commute: number;
  weight: number;
  outLat: number;
  outLon: number;
}

function profile(i: number, seed: number): Profile {
  const r = new Rng(hash32(seed, 1, i));
  const [hLat, hLon] = place(r, pick(DISTRICT_CUM, r.next()));
  const workD = r.next() < 0.7 ? CORE[Math.floor(r.next() * CORE.length)]! : pick(DISTRICT_CUM, r.next());
  const [wLat, wLon] = place(r, workD);
  const u = r.next();
  const dist = Math.hypot((wLat - hLat) / KM_LAT, (wLon - hLon) / KM_LON);
  return {
    homeLat: hLat,
    homeLon: hLon,
    workLat: wLat,
    workLon: wLon,
    kind: u < 0.6 ? 0 : u < 0.75 ? 1 : 2, // worker, student, at home
    leave: 6.5 * 3600 + r.next() * 2.5 * 3600,
    back: 17 * 3600 + r.next() * 3 * 3600,
    commute: Math.min(5400, 600 + (dist / 22) * 3600),
    weight: Math.exp(r.gauss() * 0.8),
    outLat: hLat + r.gauss() * 1.5 * KM_LAT,
    outLon: hLon + r.gauss() * 1.5 * KM_LON,
  };
}

function place(r: Rng, d: number): [number, number] {
  const [lat, lon, , km] = DISTRICTS[d]!;
  return [lat + r.gauss() * km * KM_LAT, lon + r.gauss() * km * KM_LON];
}

function cumulative(w: number[]): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  w.forEach((v, i) => (c[i] = s += v));
  return c.map((v) => v / s);
}

function pick(cum: Float64Array, u: number): number {
  let i = 0;
  while (i < cum.length - 1 && cum[i]! < u) i++;
  return i;
}

/** Where the person truly is at second `s` of a day. */
function truePosition(p: Profile, s: number, r: Rng): void {
  if (p.kind === 2) {
    const out = s > 9.5 * 3600 && s < 11.5 * 3600;
    pLat = out ? p.outLat : p.homeLat;
    pLon = out ? p.outLon : p.homeLon;
    return;
  }
  const arrive = p.leave + p.commute;
  const home = p.back + p.commute;
  let f = -1;
  if (s < p.leave || s >= home) f = 0;
  else if (s < arrive) f = (s - p.leave) / p.commute;
  else if (s < p.back) f = 1;
  else f = 1 - (s - p.back) / p.commute;
  if (f === 0 && s > home && s < home + 2 * 3600 && r.next() < 0.3) {
    pLat = p.outLat;
    pLon = p.outLon;
    return;
  }
  pLat = p.homeLat + (p.workLat - p.homeLat) * f;
  pLon = p.homeLon + (p.workLon - p.homeLon) * f;
}

/** Snap to a cell tower: a jittered lattice, dense (300 m) in the core and sparse (900 m) outside. */
function tower(lat: number, lon: number, r: Rng): void {
  const jLat = lat + r.gauss() * 0.12 * KM_LAT;
  const jLon = lon + r.gauss() * 0.12 * KM_LON;
  const core = Math.abs(jLat - 26.6) < 0.12 && Math.abs(jLon - 106.68) < 0.12;
  const step = core ? 0.3 : 0.9;
  const gi = Math.round(jLat / (step * KM_LAT));
  const gj = Math.round(jLon / (step * KM_LON));
  const h = hash32(gi, gj, core ? 1 : 2);
  const oLat = ((h & 0xffff) / 65536 - 0.5) * 0.5 * step * KM_LAT;
  const oLon = ((h >>> 16) / 65536 - 0.5) * 0.5 * step * KM_LON;
  pLat = round6(gi * step * KM_LAT + oLat);
  pLon = round6(gj * step * KM_LON + oLon);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Output columns of one block; sized by the caller to at least `blockPings` rows. */
export interface CityBlock {
  count: number;
  person: Uint32Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
}

/** Number of pings of block b on one day: quotas partition pingsPerDay exactly. */
export function blockPings(o: CityOptions, b: number): number {
  const lo = b * CITY_BLOCK;
  const hi = Math.min(o.people, lo + CITY_BLOCK);
  return Math.floor((o.pingsPerDay * hi) / o.people) - Math.floor((o.pingsPerDay * lo) / o.people);
}

/**
 * Generate block b's pings for one day: rows ordered by time within the block (as a carrier's
 * export arrives), or with `byPerson` by (person, time).
 */
export function generateCityBlock(
  o: CityOptions,
  b: number,
  day: number,
  out: CityBlock,
  byPerson = false,
): void {
  const lo = b * CITY_BLOCK;
  const n = Math.min(o.people, lo + CITY_BLOCK) - lo;
  const quota = blockPings(o, b);
  const profiles: Profile[] = [];
  for (let i = 0; i < n; i++) profiles.push(profile(lo + i, o.seed));
  const wCum = cumulative(profiles.map((p) => p.weight));
  const r = new Rng(hash32(o.seed, 2, b, day));
  const dayStart = o.startTs + day * 86400;
  const who = new Uint32Array(quota);
  const when = new Uint32Array(quota);
  for (let k = 0; k < quota; k++) {
    // Everyone pings at least once a day when there are enough pings; the rest by activity.
    who[k] = quota >= n && k < n ? k : searchCum(wCum, r.next());
    when[k] =
      r.next() < 0.12
        ? Math.floor(r.next() * 86400)
        : Math.floor((pick(HOUR_CUM, r.next()) + r.next()) * 3600);
  }
  // Positions are drawn in generation order, so the data do not depend on the output order.
  const pLatOf = new Float64Array(quota);
  const pLonOf = new Float64Array(quota);
  for (let k = 0; k < quota; k++) {
    truePosition(profiles[who[k]!]!, when[k]!, r);
    tower(pLat, pLon, r);
    pLatOf[k] = pLat;
    pLonOf[k] = pLon;
  }
  // Sort with a packed numeric key (native sort, no comparator): time, or person then time.
  const keys = new Float64Array(quota);
  for (let k = 0; k < quota; k++) keys[k] = ((byPerson ? who[k]! * 86400 : 0) + when[k]!) * 1048576 + k;
  keys.sort();
  for (let k = 0; k < quota; k++) {
    const j = keys[k]! % 1048576;
    out.person[k] = lo + who[j]!;
    out.ts[k] = dayStart + when[j]!;
    out.lat[k] = pLatOf[j]!;
    out.lon[k] = pLonOf[j]!;
  }
  out.count = quota;
}

function searchCum(cum: Float64Array, u: number): number {
  let a = 0;
  let b = cum.length - 1;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (cum[m]! < u) a = m + 1;
    else b = m;
  }
  return a;
}

/** Deterministic choice of `count` distinct case persons. */
export function chooseCases(people: number, count: number, seed: number): number[] {
  const r = new Rng(hash32(seed, 4));
  const chosen = new Set<number>();
  const want = Math.min(count, people);
  while (chosen.size < want) chosen.add(Math.floor(r.next() * people));
  return [...chosen].sort((a, b) => a - b);
}
