/**
 * The places side of `hc simulate`, through the public interfaces only: rail and flight trips
 * (the trips feed, as a carrier sends them), co-travellers of residents who later become cases,
 * risk areas published and lifted by an officer, venues registered by the officer and residents'
 * check-ins scanned by the venues' devices, a city with cases listed and ended by an
 * administrator, and a carrier's pings beside residents who later become cases. What the platform should make of them is worked out by ./reference-places.ts.
 */
import type { Auth, CodeAnswer, PlatformClient } from './platform-client.ts';
import type { RefFact } from './reference-evaluator.ts';
import {
  placeFacts,
  type RefArea,
  type RefCase,
  type RefCheckin,
  type RefCity,
  type RefPings,
  type RefTrip,
} from './reference-places.ts';
import { MIN, HOUR, DAY, iso } from './time.ts';

/** One resident of the simulated city. */
export interface Resident {
  i: number;
  phone: string;
  doc: string;
  region: string;
  token?: string;
  personId?: number;
  facts: RefFact[];
  /** became a case (never listed twice) */
  caseAt?: number;
  caseReleased?: boolean;
  watchedUntil?: number;
  /** on a key-occupation list with this test interval (hours) */
  keyInterval?: number;
  /** checks in at venues: never made a case, so no venue exposure (companion) needs modelling */
  visitsVenues?: boolean;
  /** the step at which the simulation lists them as a case (a co-traveller group's case) */
  caseStep?: number;
  /** a carrier sent pings of theirs: never made a case at random (their pings all precede any case) */
  hasPings?: boolean;
}

/** Where the simulation's areas and venues lie (Guiyang). */
const HIGH = { county: '520102', lat: 26.5631, lon: 106.6745 }; // 南明区
const MEDIUM = { county: '520103', lat: 26.5835, lon: 106.7135 }; // 云岩区
const OUTSIDE = { county: '520111', lat: 26.4305, lon: 106.6702 }; // 花溪区
/** Trip destinations: Guiyang's two area counties, 遵义 红花岗 (the listed city), 北京 朝阳, 上海 浦东 */
const PLACES = ['520102', '520103', '520302', '110105', '310115'];
/** the city with cases the administrator lists: 遵义市 */
export const LISTED_CITY = '5203';

export interface PlacesDeps {
  client: PlatformClient;
  residents: readonly Resident[];
  rand(): number;
  nextSeq(): number;
  count(kind: string, n?: number): void;
  codeOf(r: Resident): Promise<CodeAnswer>;
  reject(example: unknown): void;
}

export class CityPlaces {
  readonly trips: RefTrip[] = [];
  readonly areas: RefArea[] = [];
  readonly checkins: RefCheckin[] = [];
  readonly cities: RefCity[] = [];
  readonly pings: RefPings[] = [];
  private venues: Array<{ id: number; auth: Auth; inAreas: number[]; where: typeof HIGH }> = [];
  private carrier: Auth = {};
  private cityId?: number;
  private serial = 0;
  private cache?: Map<number, RefFact[]>;

  constructor(private readonly d: PlacesDeps) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.d.rand() * xs.length)]!;
  }

  /** The facts the places sources should have given resident `i` (docs/PLACES.md). */
  factsOf(i: number): readonly RefFact[] {
    if (!this.cache) {
      const cases: RefCase[] = [];
      for (const r of this.d.residents) {
        const c = r.facts.find((f) => f.kind === 'case');
        if (!c) continue;
        const releases = r.facts.flatMap((f) =>
          f.kind === 'release' && f.types.includes('case') ? [{ event: f.event, seq: f.seq }] : [],
        );
        cases.push({ resident: r.i, event: c.event, seq: c.seq, releases });
      }
      this.cache = placeFacts({
        trips: this.trips,
        areas: this.areas,
        checkins: this.checkins,
        cities: this.cities,
        pings: this.pings,
        cases,
      });
    }
    return this.cache.get(i) ?? [];
  }

  /** Something the derivation reads changed (a case or its release, a trip, an area …). */
  changed(): void {
    this.cache = undefined;
  }

  /** A carrier device (administrator) and three venues (officer): in the high area, the medium one, outside. */
  async setup(admin: Auth, officer: Auth): Promise<void> {
    const { client } = this.d;
    this.carrier = {
      apiKey: (
        await client.post<{ apiKey: string }>(
          '/v1/devices',
          { name: 'sim 12306 rail and airlines 铁路航空', role: 'carrier', regionCode: '520102' },
          admin,
        )
      ).apiKey,
    };
    const venue = async (name: string, where: typeof HIGH) => {
      const r = await client.post<{ venue: { id: number }; operator: { apiKey: string } }>(
        '/v1/venues',
        { name, category: '商场', address: name, lat: where.lat, lon: where.lon, adminCode: where.county },
        officer,
      );
      this.venues.push({ id: r.venue.id, auth: { apiKey: r.operator.apiKey }, inAreas: [], where });
    };
    await venue('模拟商场 南明 simulated mall', HIGH);
    await venue('模拟超市 云岩 simulated market', MEDIUM);
    await venue('模拟餐馆 花溪 simulated restaurant', OUTSIDE);
  }

  /** Sends trips through the trips feed (as a carrier does) and records the accepted ones. */
  async sendTrips(list: Array<Omit<RefTrip, 'seq'>>): Promise<void> {
    for (let i = 0; i < list.length; i += 1000) {
      const part = list.slice(i, i + 1000);
      const res = await this.d.client.feedBatch(
        'trips',
        part.map((t, j) => ({
          source_id: `sim-trip-${t.resident}-${t.departed}-${i + j}`,
          doc_type: 10,
          doc_number: this.d.residents[t.resident]!.doc,
          mode: t.mode,
          service_no: t.service,
          ...(t.carriage === undefined ? {} : { carriage: t.carriage }),
          from_region: t.from,
          to_region: t.to,
          departed_at: iso(t.departed),
          arrived_at: iso(t.arrived),
        })),
        this.carrier,
      );
      const bad = new Set((res.errors as Array<{ line: number }>).map((e) => (this.d.reject(e), e.line)));
      const seq = this.d.nextSeq();
      part.forEach((t, j) => {
        if (!bad.has(j + 1)) this.trips.push({ ...t, seq });
      });
      this.d.count('trip (rail, flight) 行程', part.length - bad.size);
    }
    this.changed();
  }

  /** Single travellers on services nobody else of the city takes: home county ↔ somewhere (not sent yet). */
  ordinaryTrips(
    now: number,
    n: number,
    inStep: (t: number) => number,
  ): { list: Array<Omit<RefTrip, 'seq'>>; who: Resident[] } {
    const list: Array<Omit<RefTrip, 'seq'>> = [];
    const who: Resident[] = [];
    for (let k = 0; k < n; k++) {
      const r = this.pick(this.d.residents);
      const away = this.pick(PLACES.filter((p) => p !== r.region));
      const out = this.d.rand() < 0.5;
      const mode = this.d.rand() < 0.6 ? 'rail' : 'flight';
      const arrived = inStep(now);
      const departed =
        arrived - (1 + Math.floor(this.d.rand() * 4)) * HOUR - Math.floor(this.d.rand() * 60) * MIN;
      const service = `${mode === 'rail' ? 'G' : 'CA'}${10_000 + ++this.serial}`;
      list.push({
        resident: r.i,
        mode,
        service,
        ...(mode === 'rail' ? { carriage: String(1 + Math.floor(this.d.rand() * 16)) } : {}),
        from: out ? r.region : away,
        to: out ? away : r.region,
        departed,
        arrived,
      });
      who.push(r);
    }
    return { list, who };
  }

  /**
   * A flight and a train shared with a resident who becomes a case at `caseStep`: three on the
   * flight; on the train two in the case's carriage (written '5' against '05'), two in another, one
   * on the same train number the day before (no overlap: nothing).
   */
  async coTravelGroup(now: number, caseStep: number): Promise<{ future: Resident; riders: Resident[] }> {
    const free = (r: Resident) => r.caseAt === undefined && r.caseStep === undefined && !r.visitsVenues;
    let future = this.pick(this.d.residents);
    for (let k = 0; k < 100 && !free(future); k++) future = this.pick(this.d.residents);
    future.caseStep = caseStep;
    const g = ++this.serial;
    const dep = now - 6 * HOUR - Math.floor(this.d.rand() * 60) * MIN;
    const flight = `MU${20_000 + g}`;
    const train = `D${20_000 + g}`;
    // the flight the future case takes, and three passengers with it
    const sameFlight: Omit<RefTrip, 'seq' | 'resident'> = {
      mode: 'flight',
      service: flight,
      from: '110105',
      to: '520102',
      departed: dep - 8 * HOUR,
      arrived: dep - 5 * HOUR,
    };
    const list: Array<Omit<RefTrip, 'seq'>> = [
      { resident: future.i, ...sameFlight },
      {
        resident: future.i,
        mode: 'rail',
        service: train,
        carriage: '05',
        from: '520102',
        to: '520302',
        departed: dep,
        arrived: dep + 2 * HOUR,
      },
    ];
    const riders: Resident[] = [];
    const rider = (t: Omit<RefTrip, 'seq' | 'resident'>) => {
      const r = this.pick(this.d.residents);
      riders.push(r);
      list.push({ resident: r.i, ...t });
    };
    for (let k = 0; k < 3; k++) rider(sameFlight);
    for (const carriage of ['5', '5', '12', '12'])
      rider({
        mode: 'rail',
        service: train,
        carriage,
        from: '520102',
        to: '520302',
        departed: dep + 20 * MIN,
        arrived: dep + 2 * HOUR,
      });
    rider({
      mode: 'rail',
      service: train,
      carriage: '05',
      from: '520102',
      to: '520302',
      departed: dep - DAY,
      arrived: dep - DAY + 2 * HOUR,
    });
    await this.sendTrips(list);
    this.d.count('co-traveller group 同乘组');
    // Pings (a carrier's, through the pings feed) that make companions of the future case: one at
    // its side, one 500 m away, one 3 km away, one at its place 3 h later (nothing for the last two).
    // An hour of pings every 10 min, kept inside one UTC+8 day (a companion run covers one day).
    let t0 = now - 5 * HOUR - Math.floor(this.d.rand() * 30) * MIN;
    const day = (t: number) => Math.floor((t + 8 * HOUR) / DAY);
    if (day(t0) !== day(t0 + 5 * HOUR)) t0 -= 5 * HOUR;
    const track = (r: Resident, from: number, dLat: number) =>
      this.sendPings(
        r,
        Array.from({ length: 7 }, (_, k) => ({
          ts: from + k * 10 * MIN,
          lat: OUTSIDE.lat + 0.01 + dLat,
          lon: OUTSIDE.lon,
        })),
      );
    await track(future, t0, 0);
    for (const [dLat, later] of [
      [0, 0],
      [0.0045, 0],
      [0.027, 0],
      [0, 3 * HOUR],
    ] as const) {
      // not someone already a case: a case's own later pings would be found by the daily run alone
      let r = this.pick(this.d.residents);
      for (let k = 0; k < 100 && r.caseAt !== undefined; k++) r = this.pick(this.d.residents);
      riders.push(r);
      await track(r, t0 + later, dLat);
    }
    return { future, riders: [future, ...riders] };
  }

  /** A carrier's pings of one resident (one block of the pings feed). */
  private async sendPings(r: Resident, pings: RefPings['pings']): Promise<void> {
    const res = await this.d.client.feedBatch(
      'pings',
      pings.map((p) => ({ phone: r.phone, ts: iso(p.ts), lat: p.lat, lon: p.lon, accuracy_m: 50 })),
      this.carrier,
    );
    if (res.rejected) {
      this.d.reject(res.errors[0]);
      return;
    }
    r.hasPings = true;
    this.pings.push({ resident: r.i, pings, seq: this.d.nextSeq() });
    this.d.count('pings (carrier) 信令', pings.length);
    this.changed();
  }

  /** Who checks in where this step (residents who visit venues; one scan per resident and venue). */
  planCheckIns(n: number): Array<{ r: Resident; v: number }> {
    const pool = this.d.residents.filter((r) => r.visitsVenues);
    const seen = new Set<string>();
    const out: Array<{ r: Resident; v: number }> = [];
    for (let k = 0; k < n && pool.length; k++) {
      const r = this.pick(pool);
      const v = Math.floor(this.d.rand() * this.venues.length);
      if (seen.has(`${r.i}:${v}`)) continue; // a second scan within 5 min is the same check-in
      seen.add(`${r.i}:${v}`);
      out.push({ r, v });
    }
    return out;
  }

  /** The venues' devices scan the residents' codes (the check-in is at `now`). */
  async checkIns(now: number, plan: ReadonlyArray<{ r: Resident; v: number }>): Promise<void> {
    for (const { r, v: vi } of plan) {
      const v = this.venues[vi]!;
      const code = await this.d.codeOf(r);
      const res = await this.d.client.post<{ checkedIn: boolean }>(
        `/v1/venues/${v.id}/scan`,
        { token: code.token },
        v.auth,
      );
      if (!res.checkedIn) {
        this.d.reject({ checkin: r.i, venue: v.id });
        continue;
      }
      this.checkins.push({ resident: r.i, at: now, inAreas: v.inAreas, seq: this.d.nextSeq() });
      this.d.count('check-in 场所签到');
    }
    this.changed();
  }

  /** An officer publishes a 300 m high-risk area around the first venue and a medium one around the second. */
  async publishAreas(now: number, officer: Auth): Promise<void> {
    for (const [level, where, v] of [
      ['high', HIGH, this.venues[0]!],
      ['medium', MEDIUM, this.venues[1]!],
    ] as const) {
      const res = await this.d.client.post<{ area: { id: number } }>(
        '/v1/risk-areas',
        {
          name: `模拟${level === 'high' ? '高' : '中'}风险区 simulated ${level}-risk area`,
          level,
          center: { lat: where.lat, lon: where.lon },
          radiusM: 300,
          regionCode: where.county,
          startsAt: iso(now),
        },
        officer,
      );
      const id = Number(res.area.id);
      this.areas.push({ id, level, county: where.county, start: now, lift: Infinity, seq: this.d.nextSeq() });
      v.inAreas.push(id);
      this.d.count('risk area 风险区');
    }
    this.changed();
  }

  /** The officer lifts the area of this level (at `now`). */
  async liftArea(level: 'high' | 'medium', now: number, officer: Auth): Promise<void> {
    const a = this.areas.find((x) => x.level === level && x.lift === Infinity);
    if (!a) return;
    await this.d.client.post(`/v1/risk-areas/${a.id}/lift`, { at: iso(now) }, officer);
    a.lift = now;
    a.liftSeq = this.d.nextSeq();
    this.d.count('risk area lifted 风险区解除');
    this.changed();
  }

  /** The administrator lists 遵义市 as a city with cases from `now`. */
  async listCity(now: number, admin: Auth): Promise<void> {
    const res = await this.d.client.post<{ city: { id: number } }>(
      '/v1/cities-with-cases',
      { regionCode: LISTED_CITY, since: iso(now), note: '模拟 simulated' },
      admin,
    );
    this.cityId = res.city.id;
    this.cities.push({ code: LISTED_CITY, since: now, until: Infinity, seq: this.d.nextSeq() });
    this.d.count('city with cases listed 有病例城市');
    this.changed();
  }

  /** … and ends the listing at `now`. */
  async endCity(now: number, admin: Auth): Promise<void> {
    const c = this.cities.at(-1);
    if (this.cityId === undefined || !c) return;
    await this.d.client.post(`/v1/cities-with-cases/${this.cityId}/end`, { at: iso(now) }, admin);
    c.until = now;
    this.d.count('city with cases ended 有病例城市解除');
    this.changed();
  }
}

/** How long a simulated trip or check-in keeps its resident on the daily tests. */
export const FOLLOW_UP_MS = 2 * DAY;
