/**
 * `hc simulate`: a synthetic city driven through the platform's public interfaces only — the
 * registry feed, key-population lists (cases, close and secondary contacts, key occupations with
 * their test interval, releases), residents' own declarations, tests through the testing service
 * (collector and lab devices), rail and flight trips (co-travellers of later cases among them),
 * a carrier's pings (companions of later cases, found by the platform's companion runs),
 * risk areas, venue check-ins, a city with cases, officers' corrections and a policy change — on
 * an accelerated clock (HC_TEST_CLOCK), then every resident's code read as the resident reads it
 * (`GET /v1/me/code`, verified offline with src/verifier) at each checkpoint and compared with the
 * reference evaluator (./reference-evaluator.ts, ./reference-places.ts), which is written from
 * docs/POLICY.md and docs/PLACES.md and shares no code with the policy engine or the places services.
 */
import { makeResidentId } from '../domain/document-number.ts';
import { createVerifier, type TrustList } from '../verifier/index.ts';
import {
  COLOURS,
  DEFAULT_REF_POLICY,
  expectedColour,
  type Colour,
  type RefFact,
  type RefPolicy,
} from './reference-evaluator.ts';
import { HttpError, pause, pool, type Auth, type OtpSource, type PlatformClient } from './platform-client.ts';
import { CityPlaces, FOLLOW_UP_MS, type Resident } from './city-places.ts';
import { MIN, HOUR, DAY, iso } from './time.ts';

/** Guiyang's counties: the demo officer's region (5201) holds every resident */
const COUNTIES = ['520102', '520103', '520111', '520112', '520113', '520115'];

export interface SimulateOptions {
  residents: number;
  days: number;
  /** simulated time per step, ms */
  stepMs: number;
  /** checkpoint every this many simulated days (and at the end) */
  checkpointEveryDays: number;
  seed: number;
  concurrency: number;
  /** residents per step whose fact→colour latency is measured */
  trackPerStep: number;
}

export interface SimulateDeps {
  client: PlatformClient;
  /** sets the platform's clock (HC_TEST_CLOCK file) and returns when every process sees it */
  setClock(simMs: number): Promise<void>;
  otp: OtpSource;
  staff: { admin: { username: string; password: string }; officer: { username: string; password: string } };
  /** progress: phase name, done, total */
  progress(phase: string, done: number, total: number): void;
  log(line: string): void;
}

export interface Checkpoint {
  day: number;
  simTime: string;
  read: number;
  mismatches: number;
  /** mismatches that were right after waiting for the pipelines (at most 10 s) */
  settledLate: number;
  offlineRejected: number;
  expected: Record<Colour, number>;
  readSeconds: number;
  codesPerSecond: number;
  examples: Array<{ resident: number; expected: Colour; shown: Colour }>;
}

export interface SimulateReport {
  options: SimulateOptions;
  startSim: string;
  endSim: string;
  wallSeconds: number;
  submitted: Record<string, number>;
  rejectedRows: number;
  rejectedExamples: unknown[];
  /** the facts the places sources should have recorded by the end (reference), by kind */
  placesFacts?: Record<string, number>;
  checkpoints: Checkpoint[];
  mismatches: number;
  latencyMs: Record<string, { n: number; p50: number; p95: number; max: number; notVisibleIn30s: number }>;
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function simulate(
  o: SimulateOptions,
  d: SimulateDeps,
  startSim: number,
): Promise<SimulateReport> {
  const wall0 = Date.now();
  const rand = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const { client } = d;
  let seq = 0;
  let policy: RefPolicy = { ...DEFAULT_REF_POLICY };
  const submitted: Record<string, number> = {};
  const count = (k: string, n = 1) => (submitted[k] = (submitted[k] ?? 0) + n);
  const rejectedExamples: unknown[] = [];
  let rejectedRows = 0;
  const latencies: Record<string, number[]> = {};
  const invisible: Record<string, number> = {};

  // ── the city ─────────────────────────────────────────────────────────────
  const residents: Resident[] = [];
  for (let i = 0; i < o.residents; i++) {
    const day = i % 20_000;
    const birth = new Date(Date.UTC(1950, 0, 1) + day * DAY).toISOString().slice(0, 10).replace(/-/g, '');
    const region = COUNTIES[i % COUNTIES.length]!;
    const seq3 = Math.floor(i / 20_000) * 2 + (i % 2);
    residents.push({
      i,
      phone: String(13_900_000_000 + i),
      doc: makeResidentId(region, birth, seq3, i % 2 === 1),
      region,
      facts: [],
      ...(i % 10 === 7 ? { visitsVenues: true } : {}),
    });
  }
  const places = new CityPlaces({
    client,
    residents,
    rand,
    nextSeq: () => ++seq,
    count,
    codeOf: (r) => codeOf(r),
    reject: (e) => {
      rejectedRows++;
      if (rejectedExamples.length < 5) rejectedExamples.push(e);
    },
  });

  await d.setClock(startSim);
  let now = startSim;
  const admin: Auth = {};
  const officer: Auth = {};
  // Staff sessions are short on the simulated clock: sign in again at every step (the clock holds still within one).
  const staffSignIn = async () => {
    admin.bearer = await client.staffLogin(d.staff.admin.username, d.staff.admin.password);
    officer.bearer = await client.staffLogin(d.staff.officer.username, d.staff.officer.password);
  };
  await staffSignIn();

  // Devices: a department's list device, a collector and a lab (as an administrator registers them).
  const device = async (name: string, role: string) =>
    (await client.post<{ apiKey: string }>('/v1/devices', { name, role, regionCode: '520102' }, admin))
      .apiKey;
  const peer: Auth = { apiKey: await device('sim CDC lists 疾控名单', 'peer') };
  const tester: Auth = { apiKey: await device('sim collector 采样', 'tester') };
  const lab: Auth = { apiKey: await device('sim lab 实验室', 'lab') };
  const site = await client.testing<{ id: number }>(
    'POST',
    '/sites',
    { name: '模拟采样点 simulated site', regionCode: '520102' },
    officer,
  );
  await places.setup(admin, officer);

  // Registry 公安户籍: the persons feed, 1000 per request.
  const batches: Resident[][] = [];
  for (let i = 0; i < residents.length; i += 1000) batches.push(residents.slice(i, i + 1000));
  let registered = 0;
  await pool(batches, 4, async (b) => {
    const r = await client.feedBatch(
      'persons',
      b.map((x) => ({
        source_id: `sim-person-${x.i}`,
        doc_type: 10,
        doc_number: x.doc,
        name: '模拟居民',
        phone: x.phone,
        region_code: x.region,
      })),
      admin,
    );
    if (r.rejected)
      throw new Error(`registry rejected ${r.rejected}: ${JSON.stringify(r.errors.slice(0, 3))}`);
    registered += b.length;
    d.progress('registry 户籍', registered, residents.length);
  });
  count('persons', residents.length);

  // Every resident signs in once, from a phone of their own (its own address, passed on by the
  // trusted proxy), at most 500 a simulated minute: the platform sends at most 600 codes a minute.
  let signedIn = 0;
  const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const login = async (r: Resident) => {
    r.token = await client.residentLogin(r.phone, d.otp, ipOf(r.i));
  };
  for (let i = 0; i < residents.length; i += 500) {
    await pool(residents.slice(i, i + 500), o.concurrency, async (r) => {
      await login(r);
      d.progress('sign-in 登录', ++signedIn, residents.length);
    });
    now += MIN;
    await d.setClock(now);
  }
  // The simulated days start on the next whole step.
  const base = Math.ceil(now / o.stepMs) * o.stepMs;
  const codeOf = async (r: Resident) => {
    try {
      return await client.myCode(r.token!);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 401) throw err;
      await login(r); // the access token expired on the simulated clock
      return client.myCode(r.token!);
    }
  };
  const shown = async (r: Resident): Promise<Colour> => COLOURS[(await codeOf(r)).colour5]!;
  const expectNow = (r: Resident) => {
    const derived = places.factsOf(r.i);
    return expectedColour(derived.length ? [...r.facts, ...derived] : r.facts, now, policy);
  };
  /** Residents whose expected colour differs from `before` (taken at the same simulated moment). */
  const snapshot = (rs: readonly Resident[]) => new Map(rs.map((r) => [r, expectNow(r)]));
  const changedSince = (before: Map<Resident, Colour>) =>
    [...before].filter(([r, c]) => expectNow(r) !== c).map(([r]) => r);

  /** Measures how long each change takes to show on the resident's code (real time). */
  const track = async (kind: string, changed: Resident[], t0: number) => {
    await pool(changed.slice(0, o.trackPerStep), 8, async (r) => {
      const want = expectNow(r);
      for (;;) {
        if ((await shown(r)) === want) {
          (latencies[kind] ??= []).push(Date.now() - t0);
          return;
        }
        if (Date.now() - t0 > 30_000) {
          invisible[kind] = (invisible[kind] ?? 0) + 1;
          return;
        }
        await pause(20);
      }
    });
  };

  /** Submits list rows; records the accepted ones as facts; returns the residents whose colour changed. */
  const listRows = async (
    rows: Array<{ r: Resident; row: Record<string, unknown>; fact: (seq: number) => RefFact }>,
  ): Promise<Resident[]> => {
    const changed: Resident[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      const before = part.map((x) => expectNow(x.r));
      const res = await client.feedBatch(
        'key-population',
        part.map((x) => ({ doc_type: 10, doc_number: x.r.doc, ...x.row })),
        peer,
      );
      const bad = new Set(
        (res.errors as Array<{ line: number }>).map((e) => {
          if (rejectedExamples.length < 5) rejectedExamples.push(e);
          return e.line;
        }),
      );
      rejectedRows += bad.size;
      const s = ++seq;
      part.forEach((x, j) => {
        if (bad.has(j + 1)) return;
        x.r.facts.push(x.fact(s));
        count(String(x.row.category) + (x.row.action === 'release' ? ' release' : ''));
      });
      places.changed(); // cases and their releases find co-travellers
      part.forEach((x, j) => {
        if (expectNow(x.r) !== before[j]) changed.push(x.r);
      });
    }
    return changed;
  };

  const stepsPerDay = Math.round(DAY / o.stepMs);
  const steps = o.days * stepsPerDay;
  const perStep = (perDay: number) => {
    const rate = perDay / stepsPerDay;
    return Math.floor(rate) + (rand() < rate % 1 ? 1 : 0);
  };
  const casesPerDay = Math.max(1, Math.round(o.residents / 10_000));
  const declarationsPerDay = Math.max(2, Math.round(o.residents / 500));
  const correctionsPerDay = Math.max(1, Math.round(o.residents / 10_000));
  const tripsPerDay = Math.max(6, Math.round(o.residents / 200));
  const checkinsPerDay = Math.max(6, Math.round(o.residents / 200));
  const groupsPerDay = Math.max(1, Math.round(o.residents / 10_000));
  const keyWorkers = Math.max(10, Math.round(o.residents / 100));
  const policyChangeStep = Math.floor(steps / 2) + 1;
  // Places: the areas published a fifth of the way in (day ~1.5 of 7), the high one lifted at 0.6,
  // the medium one at 0.8; 遵义 listed at 0.3 and ended at 0.7; two key workers off the list at 0.75.
  const at = (share: number) => Math.max(2, Math.round(steps * share));
  const [areaStep, liftHighStep, liftMediumStep] = [at(0.2), at(0.6), at(0.8)];
  const [cityStep, cityEndStep, keyReleaseStep] = [at(0.3), at(0.7), at(0.75)];
  const groupStepOfDay = Math.floor(stepsPerDay / 6);
  const testStepOfDay = Math.floor(stepsPerDay / 3);
  const checkpoints: Checkpoint[] = [];
  const coTravellers: Array<{ future: Resident; riders: Resident[] }> = [];
  const inStep = (t: number) =>
    t -
    Math.floor(1 + rand() * (Math.min(o.stepMs, 2 * HOUR) / MIN - 2)) * MIN -
    Math.floor(rand() * 60) * 1000;

  for (let s = 1; s <= steps; s++) {
    now = base + s * o.stepMs;
    await d.setClock(now);
    await staffSignIn();
    d.progress(
      'simulated hours 模拟',
      Math.round((s * o.stepMs) / HOUR),
      Math.round((steps * o.stepMs) / HOUR),
    );

    // Cases and their contacts (疾控名单); old close contacts on the first step; releases after 3 days.
    const rows: Parameters<typeof listRows>[0] = [];
    const list = { list: '市疾控重点人群 city CDC key population', action: 'enter' };
    if (s === 1)
      for (let k = 0; k < Math.max(5, Math.round(o.residents / 2000)); k++) {
        const r = pick(residents);
        const ev = inStep(now);
        const exp = base - 12 * DAY - Math.floor(rand() * 12) * HOUR;
        r.watchedUntil = now + 8 * DAY;
        rows.push({
          r,
          row: {
            ...list,
            source_id: `sim-old-cc-${k}`,
            category: 'close_contact',
            event_time: iso(ev),
            last_exposure_at: iso(exp),
          },
          fact: (sq) => ({ kind: 'close_contact', event: ev, lastExposure: exp, seq: sq }),
        });
      }
    const caseRows = (r: Resident) => {
      const ev = inStep(now);
      r.caseAt = ev;
      rows.push({
        r,
        row: {
          ...list,
          source_id: `sim-case-${r.i}`,
          category: 'case',
          kind: 'confirmed',
          event_time: iso(ev),
        },
        fact: (sq) => ({ kind: 'case', event: ev, seq: sq }),
      });
      for (let k = 0; k < 6; k++) {
        const cc = pick(residents);
        const e2 = inStep(now);
        const exp = ev - Math.floor(rand() * 72) * HOUR - Math.floor(rand() * 60) * MIN;
        cc.watchedUntil = now + 8 * DAY;
        rows.push({
          r: cc,
          row: {
            ...list,
            source_id: `sim-cc-${r.i}-${k}`,
            category: 'close_contact',
            event_time: iso(e2),
            last_exposure_at: iso(exp),
            case_ref: `case-${r.i}`,
          },
          fact: (sq) => ({ kind: 'close_contact', event: e2, lastExposure: exp, seq: sq }),
        });
      }
      for (let k = 0; k < 12; k++) {
        const sc = pick(residents);
        const e2 = inStep(now);
        sc.watchedUntil = now + 8 * DAY;
        rows.push({
          r: sc,
          row: {
            ...list,
            source_id: `sim-sc-${r.i}-${k}`,
            category: 'secondary_contact',
            event_time: iso(e2),
          },
          fact: (sq) => ({ kind: 'secondary_contact', event: e2, seq: sq }),
        });
      }
    };
    for (let c = perStep(casesPerDay); c > 0; c--) {
      const r = pick(residents);
      if (r.caseAt !== undefined || r.caseStep !== undefined || r.visitsVenues || r.hasPings) continue;
      caseRows(r);
    }
    // Co-travellers' cases: listed half a day after the shared trips.
    const riders: Resident[] = [];
    for (const r of residents)
      if (r.caseStep === s && r.caseAt === undefined) {
        caseRows(r);
        for (const g of coTravellers) if (g.future === r) riders.push(...g.riders);
      }
    // Key occupations 重点职业 (冷链 24 h, others 72 h), enrolled on the first step; two released later.
    const keyList = { list: '市商务局 冷链及重点行业从业人员 key occupations', action: 'enter' };
    if (s === 1)
      for (let k = 0; k < keyWorkers; k++) {
        const r = pick(residents);
        if (r.keyInterval !== undefined) continue;
        const hours = k % 2 === 0 ? 24 : 72;
        const ev = inStep(now);
        r.keyInterval = hours;
        rows.push({
          r,
          row: {
            ...keyList,
            source_id: `sim-key-${r.i}`,
            category: 'key_occupation',
            test_interval_hours: hours,
            event_time: iso(ev),
          },
          fact: (sq) => ({ kind: 'key_occupation', event: ev, intervalHours: hours, seq: sq }),
        });
      }
    if (s === keyReleaseStep)
      for (const r of residents.filter((x) => x.keyInterval !== undefined).slice(0, 2)) {
        const ev = inStep(now);
        rows.push({
          r,
          row: {
            ...keyList,
            action: 'release',
            source_id: `sim-key-release-${r.i}`,
            category: 'key_occupation',
            event_time: iso(ev),
          },
          fact: (sq) => ({ kind: 'release', types: ['key_occupation'], event: ev, seq: sq }),
        });
      }
    for (const r of residents)
      if (r.caseAt !== undefined && !r.caseReleased && now - r.caseAt >= 3 * DAY) {
        r.caseReleased = true;
        const ev = inStep(now);
        rows.push({
          r,
          row: {
            ...list,
            action: 'release',
            source_id: `sim-case-release-${r.i}`,
            category: 'case',
            event_time: iso(ev),
          },
          fact: (sq) => ({ kind: 'release', types: ['case'], event: ev, seq: sq }),
        });
      }
    if (rows.length) {
      const t0 = Date.now();
      const before = snapshot(riders);
      const listed = await listRows(rows);
      await track('key-population list 重点人群名单', listed, t0);
      await track('co-travellers, companions of a case 同乘、时空伴随', changedSince(before), t0);
    }

    // Rail and flight trips 行程 and check-ins at venues 场所签到 (scanned by the venue's device);
    // whoever takes part is tested daily for two days.
    {
      const trips = places.ordinaryTrips(now, perStep(tripsPerDay), inStep);
      const visits = places.planCheckIns(perStep(checkinsPerDay));
      const before = snapshot([...trips.who, ...visits.map((x) => x.r)]);
      const t0 = Date.now();
      await places.sendTrips(trips.list);
      await places.checkIns(now, visits);
      for (const r of before.keys()) r.watchedUntil = Math.max(r.watchedUntil ?? 0, now + FOLLOW_UP_MS);
      await track('trip, check-in 行程、场所签到', changedSince(before), t0);
    }
    // A flight and a train shared with a resident listed as a case half a day later.
    if (s % stepsPerDay === groupStepOfDay)
      for (let g = 0; g < groupsPerDay; g++) {
        const grp = await places.coTravelGroup(now, s + Math.max(1, Math.round(stepsPerDay / 2)));
        coTravellers.push(grp);
        for (const r of grp.riders) r.watchedUntil = Math.max(r.watchedUntil ?? 0, now + 8 * DAY);
      }

    // Residents' own declarations 自主申报.
    const declarers: Resident[] = [];
    for (let k = perStep(declarationsPerDay); k > 0; k--) declarers.push(pick(residents));
    if (declarers.length) {
      const changed: Resident[] = [];
      const t0 = Date.now();
      for (const r of declarers) {
        const before = expectNow(r);
        const ev = inStep(now);
        const x = rand();
        const temperature = x < 0.4 ? 37.5 : x < 0.7 ? 38.4 : 36.6;
        const symptoms = x > 0.85 ? ['cough'] : [];
        await client.post(
          '/v1/me/declarations',
          { clientId: `sim-${s}-${r.i}`, temperature, symptoms, declaredAt: iso(ev) },
          { bearer: r.token! },
        );
        r.facts.push({ kind: 'declaration', event: ev, temperature, symptoms, seq: ++seq });
        count('declaration');
        if (expectNow(r) !== before) changed.push(r);
      }
      await track('declaration 自主申报', changed, t0);
    }

    // Daily tests of everyone on a list, through the testing service (single tubes, negative).
    if (s % stepsPerDay === testStepOfDay) {
      // … and key workers by their interval (24 h: daily; 72 h: every third day), 75 % on time.
      const today = Math.floor(s / stepsPerDay);
      const takers = residents.filter((r) =>
        r.keyInterval !== undefined && (r.keyInterval <= 24 || today % 3 === 0)
          ? rand() < 0.75
          : (r.watchedUntil ?? 0) > now && rand() < 0.8,
      );
      for (let i = 0; i < takers.length; i += 500) {
        const part = takers.slice(i, i + 500);
        const tubes = part.map((r) => ({ barcode: `SIM${s}T${r.i}`, kind: 'single' }));
        const when = part.map(() => inStep(now));
        const res = await client.testing<{ items: Array<{ status: string; message?: string }> }>(
          'POST',
          '/collections',
          {
            siteId: site.id,
            tubes,
            items: part.map((r, j) => ({
              tube: tubes[j]!.barcode,
              doc: { type: 10, number: r.doc },
              collectedAt: when[j],
              ref: String(r.i),
            })),
          },
          tester,
        );
        const ok = part.filter((_, j) => res.items[j]?.status === 'accepted');
        rejectedRows += part.length - ok.length;
        await client.testing(
          'POST',
          '/lab/results',
          { results: ok.map((r) => ({ tube: `SIM${s}T${r.i}`, result: 'negative' })) },
          lab,
        );
        part.forEach((r, j) => {
          if (res.items[j]?.status !== 'accepted') return;
          r.facts.push({ kind: 'test', event: when[j]!, result: 'negative', pooled: false, seq: ++seq });
        });
        count('test (testing service)', ok.length);
      }
    }

    // A policy change halfway: the fever threshold goes up (37.3 → 37.6 °C).
    if (s === policyChangeStep) {
      const cur = await client.get<{ active: Record<string, unknown> }>('/v1/policies', officer);
      const doc = { ...cur.active, version: `sim-fever-37.6-${now}`, feverThreshold: 37.6 };
      await client.post('/v1/policies', { document: doc }, admin);
      policy = { ...policy, feverThreshold: 37.6 };
      count('policy change');
    }

    // Officers' corrections 人工纠错: lower some non-green residents for 3 days, raise a few to yellow.
    const corrected: Resident[] = [];
    const t0 = Date.now();
    for (let k = perStep(correctionsPerDay); k > 0; k--) {
      const raise = rand() < 0.25;
      const candidates = residents.filter(
        (r) => (raise ? true : (r.watchedUntil ?? 0) > now) && expectNow(r) !== 'purple',
      );
      if (!candidates.length) continue;
      const r = pick(candidates);
      const colour: Colour = raise ? 'yellow' : 'green';
      r.personId ??= (
        await client.post<{ id: number }>('/v1/persons/lookup', { docType: 10, docNumber: r.doc }, officer)
      ).id;
      const before = expectNow(r);
      const expires = now + 3 * DAY;
      await client.post(
        `/v1/persons/${r.personId}/corrections`,
        { colour5: colour, reason: '模拟复核 simulated review', expiresAt: iso(expires) },
        officer,
      );
      r.facts.push({ kind: 'correction', event: now, colour, expires, seq: ++seq });
      count('correction');
      if (expectNow(r) !== before) corrected.push(r);
    }
    await track('correction 人工纠错', corrected, t0);

    // Risk areas 风险区 and a city with cases 有病例的城市, published and lifted at the end of a step:
    // on the simulated clock, which holds still within a step, another process's area index is
    // checked again only once the clock moves.
    if ([areaStep, liftHighStep, liftMediumStep, cityStep, cityEndStep].includes(s)) {
      const before = snapshot(residents);
      const t0 = Date.now();
      if (s === areaStep) await places.publishAreas(now, officer);
      if (s === liftHighStep) await places.liftArea('high', now, officer);
      if (s === liftMediumStep) await places.liftArea('medium', now, officer);
      if (s === cityStep) await places.listCity(now, admin);
      if (s === cityEndStep) await places.endCity(now, admin);
      await track('risk area, city with cases 风险区、有病例城市', changedSince(before), t0);
    }

    // Checkpoints: every resident's code, as the resident reads it.
    const day = (s * o.stepMs) / DAY;
    if (s % stepsPerDay === 0 && (day % o.checkpointEveryDays === 0 || s === steps))
      checkpoints.push(await checkpoint(day));
  }

  async function checkpoint(day: number): Promise<Checkpoint> {
    await drainTesting();
    const list = await client.get<TrustList>('/v1/trust-list');
    const verifier = createVerifier([list]);
    const expected: Record<Colour, number> = { green: 0, yellow: 0, orange: 0, red: 0, purple: 0 };
    let offlineRejected = 0;
    const wrong: Resident[] = [];
    const t0 = Date.now();
    let done = 0;
    await pool(residents, o.concurrency, async (r) => {
      const want = expectNow(r);
      expected[want]++;
      const code = await codeOf(r);
      const v = await verifier.verify(code.token, Math.floor(now / 1000));
      if (!v.valid || v.colour5 !== code.colour5) offlineRejected++;
      if (COLOURS[code.colour5] !== want) wrong.push(r);
      if (++done % 500 === 0) d.progress(`checkpoint day ${day} 检查点`, done, residents.length);
    });
    const readSeconds = (Date.now() - t0) / 1000;
    // Whatever differs gets up to 10 s for the pipelines (bus, testing outbox) before it counts.
    let still = wrong;
    for (let k = 0; k < 10 && still.length; k++) {
      await pause(1000);
      const next: Resident[] = [];
      for (const r of still) if ((await shown(r)) !== expectNow(r)) next.push(r);
      still = next;
    }
    const examples = [];
    for (const r of still.slice(0, 10))
      examples.push({ resident: r.i, expected: expectNow(r), shown: await shown(r) });
    const cp: Checkpoint = {
      day,
      simTime: iso(now),
      read: residents.length,
      mismatches: still.length,
      settledLate: wrong.length - still.length,
      offlineRejected,
      expected,
      readSeconds,
      codesPerSecond: Math.round(residents.length / readSeconds),
      examples,
    };
    d.log(
      `checkpoint day ${day}: ${cp.read} codes read in ${readSeconds.toFixed(1)} s, mismatches ${cp.mismatches}` +
        ` (settled late ${cp.settledLate}), offline rejected ${offlineRejected}; expected ${JSON.stringify(expected)}`,
    );
    return cp;
  }

  async function drainTesting(): Promise<void> {
    for (let k = 0; k < 300; k++) {
      const h = await client.testing<{ outboxPending?: number; collectionBacklog?: number }>(
        'GET',
        '/healthz',
        undefined,
        {},
      );
      if (!h.outboxPending && !h.collectionBacklog) return;
      await pause(100);
    }
  }

  const latencyMs: SimulateReport['latencyMs'] = {};
  for (const [k, xs] of Object.entries(latencies)) {
    xs.sort((a, b) => a - b);
    latencyMs[k] = {
      n: xs.length,
      p50: quantile(xs, 0.5),
      p95: quantile(xs, 0.95),
      max: xs.at(-1) ?? 0,
      notVisibleIn30s: invisible[k] ?? 0,
    };
  }
  for (const [k, n] of Object.entries(invisible))
    latencyMs[k] ??= { n: 0, p50: 0, p95: 0, max: 0, notVisibleIn30s: n };
  const placesFacts: Record<string, number> = {};
  for (const r of residents)
    for (const f of places.factsOf(r.i)) placesFacts[f.kind] = (placesFacts[f.kind] ?? 0) + 1;
  return {
    options: o,
    placesFacts,
    startSim: iso(base),
    endSim: iso(now),
    wallSeconds: Math.round((Date.now() - wall0) / 1000),
    submitted,
    rejectedRows,
    rejectedExamples,
    checkpoints,
    mismatches: checkpoints.reduce((a, c) => a + c.mismatches, 0),
    latencyMs,
  };
}
