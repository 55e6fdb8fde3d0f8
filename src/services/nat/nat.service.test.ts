/**
 * The testing service's own rules on real databases (PGlite, or PostgreSQL with HC_TEST_SERVICES=1):
 * tube capacity and duplicates under group commit, code verification at scan time, labs, retest
 * orders, bookings, the outbox relay and testing migrations on a database of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/db/database.ts';
import { CollectionWriter } from '../../adapters/nat/collection.writer.ts';
import { OutboxRelay } from '../../adapters/nat/outbox-relay.ts';
import { ManualClock } from '../../ports/clock.port.ts';
import { chainHash, testingAuditFields } from '../../domain/audit-chain.ts';
import { sha256 } from '../audit-chain.service.ts';
import { TestingSubjects } from '../../domain/nat/nat.ts';
import { migrateTesting } from '../../roles/nat.module.ts';
import { USE_SERVICES } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { createTestingWorld, eventually, type TestingWorld } from '../../../test/nat/nat-world.ts';

let w: TestingWorld;
beforeAll(async () => {
  // The relay stays off here so outbox contents can be inspected; relayOnce() is called by hand.
  w = await createTestingWorld({ HC_TESTING_RELAY: 'off' });
});
afterAll(async () => {
  await w?.close();
});

const svc = () => w.testing.testing;
const GUIYANG = { actor: 'officer:1', regionPrefix: '5201' };
const sub = (n: number) => `subjectsubject${String(n).padStart(6, '0')}`;
const collect = (
  tubes: Array<{ barcode: string; kind: 'single' | 'pool10' | 'pool20' }>,
  items: Array<{ tube: string; subject?: string; code?: string; collectedAt?: number }>,
) => svc().collection.collect({ deviceId: w.tester.id, siteId: null, tubes, items });

describe('collection', () => {
  it('fills a pooled tube to its capacity, no further, and acknowledges re-sent scans as duplicates', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ tube: 'CAP-0001', subject: sub(i) }));
    const r = await collect(
      [{ barcode: 'CAP-0001', kind: 'pool10' }],
      [...items, { tube: 'CAP-0001', subject: sub(0) }, { tube: 'NEVER-OPENED', subject: sub(1) }],
    );
    expect(r.items.map((i) => i.status)).toEqual([
      ...Array(10).fill('accepted'),
      'TUBE_FULL',
      'TUBE_FULL',
      'duplicate',
      'TUBE_UNKNOWN',
    ]);
    const again = await collect([], items.slice(0, 3));
    expect(again).toMatchObject({ accepted: 0, duplicates: 3, rejected: 0 });
    const stored = await svc().db.query<{ members: number; n: number }>(
      "SELECT members, (SELECT count(*)::int FROM testing.collections WHERE tube = 'CAP-0001') AS n FROM testing.tubes WHERE barcode = 'CAP-0001'",
    );
    expect(stored.rows[0]).toEqual({ members: 10, n: 10 });
  });

  it('groups concurrent device batches into fewer commits, each answered with its own outcome', async () => {
    const before = svc().writer.stats.commits;
    const batches = await Promise.all(
      Array.from({ length: 8 }, (_, d) =>
        collect(
          [{ barcode: `GRP-${d}`, kind: 'pool20' }],
          Array.from({ length: 20 }, (_, i) => ({ tube: `GRP-${d}`, subject: sub(1000 + d * 100 + i) })),
        ),
      ),
    );
    expect(batches.every((b) => b.accepted === 20)).toBe(true);
    expect(svc().writer.stats.commits - before).toBeLessThan(8);
  });

  it('verifies codes at the time they were scanned, so offline devices may upload later', async () => {
    const p = await createResident(w.ctx);
    const code = await w.ctx.codes.issue(p.id, 's');
    const scannedAt = Date.parse(code.issuedAt) + 1000;
    const ok = await collect(
      [{ barcode: 'CODE-0001', kind: 'single' }],
      [{ tube: 'CODE-0001', code: code.token, collectedAt: scannedAt }],
    );
    expect(ok.accepted).toBe(1);
    const late = await collect(
      [{ barcode: 'CODE-0002', kind: 'single' }],
      [{ tube: 'CODE-0002', code: code.token, collectedAt: Date.parse(code.expiresAt) + 120_000 }],
    );
    expect(late.items[0]?.status).toBe('TOKEN_EXPIRED');
    const forged = await collect([], [{ tube: 'CODE-0002', code: code.token.slice(0, -4) + 'AAAA' }]);
    expect(forged.items[0]?.status).not.toBe('accepted');
    const ref = (
      await svc().db.query<{ person_ref: string }>(
        "SELECT person_ref FROM testing.collections WHERE tube = 'CODE-0001'",
      )
    ).rows[0]?.person_ref;
    expect(ref).toBe(`s:${(await w.ctx.repos.persons.byId(p.id))?.code_subject}`);
  });
});

describe('collection writer clock', () => {
  it('stamps the tube, the fulfilled retest order and the audit row with the injected clock, not the wall', async () => {
    const at = Date.UTC(2022, 4, 1, 9, 30, 0);
    const writer = new CollectionWriter(svc().db, new ManualClock(at));
    const ref = `s:${sub(9001)}`;
    await svc().db.query(
      `INSERT INTO testing.retest_orders (person_ref, lab, tube, version, reason, ordered_at)
       VALUES ($1, 'clock-lab', 'CLK-ORIGIN', 1, 'invalid', $2)`,
      [ref, new Date(at - 86400_000)],
    );
    const out = await writer.submit({
      deviceId: w.tester.id,
      siteId: null,
      tubes: [{ barcode: 'CLK-0001', kind: 'single' }],
      items: [{ tube: 'CLK-0001', personRef: ref, collectedAt: at - 60_000 }],
    });
    expect(out).toEqual([{ status: 'accepted' }]);
    const q = async (sql: string) =>
      (await svc().db.query<{ at: Date }>(sql, [])).rows.map((r) => r.at.getTime());
    expect(await q("SELECT opened_at AS at FROM testing.tubes WHERE barcode = 'CLK-0001'")).toEqual([at]);
    expect(
      await q("SELECT fulfilled_at AS at FROM testing.retest_orders WHERE fulfilled_tube = 'CLK-0001'"),
    ).toEqual([at]);
    expect(
      await q(
        `SELECT at FROM testing.audit_log WHERE action = 'nat.collection' AND actor = 'device:${w.tester.id}' AND detail->>'tubesOpened' = '1' AND at < '2023-01-01'`,
      ),
    ).toEqual([at]);
  });
});

describe('labs', () => {
  it('keeps a tube with the lab that received it and closes it to new swabs', async () => {
    await collect([{ barcode: 'LAB-0001', kind: 'pool10' }], [{ tube: 'LAB-0001', subject: sub(5000) }]);
    expect(await svc().lab.receive('lab-a', ['LAB-0001', 'LAB-NONE'])).toMatchObject([
      { status: 'recorded' },
      { status: 'rejected', code: 'TUBE_UNKNOWN' },
    ]);
    expect(await svc().lab.receive('lab-a', ['LAB-0001'])).toMatchObject([{ status: 'duplicate' }]);
    expect(await svc().lab.report('lab-b', [{ tube: 'LAB-0001', result: 'negative' }])).toMatchObject([
      { status: 'rejected', code: 'TUBE_OTHER_LAB' },
    ]);
    const late = await collect([], [{ tube: 'LAB-0001', subject: sub(5001) }]);
    expect(late.items[0]?.status).toBe('TUBE_CLOSED');
  });

  it('orders retests for every member of an invalid or pooled positive tube, and takes corrections as new versions', async () => {
    await collect(
      [{ barcode: 'INV-0001', kind: 'pool10' }],
      Array.from({ length: 4 }, (_, i) => ({ tube: 'INV-0001', subject: sub(6000 + i) })),
    );
    expect(await svc().lab.report('lab-a', [{ tube: 'INV-0001', result: 'invalid' }])).toMatchObject([
      { status: 'recorded', retestOrders: 4 },
    ]);
    expect(
      await svc().lab.report('lab-a', [{ tube: 'INV-0001', result: 'negative', version: 2 }]),
    ).toMatchObject([{ status: 'recorded' }]);
    const orders = (await svc().lab.openRetests()).filter((o) => o.tube === 'INV-0001');
    expect(orders.map((o) => o.reason)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    // A single-tube swab of one member fulfils that member's order only.
    await collect([{ barcode: 'INV-R-0001', kind: 'single' }], [{ tube: 'INV-R-0001', subject: sub(6000) }]);
    expect((await svc().lab.openRetests()).filter((o) => o.tube === 'INV-0001')).toHaveLength(3);
  });
});

describe('bookings', () => {
  it('holds a slot to its capacity; cancelling frees the place; booking twice returns the first booking', async () => {
    const site = await svc().sites.addSite(GUIYANG, {
      name: '观山湖区采样点',
      regionCode: '520115',
      address: '林城东路',
    });
    const t = Date.now() + 86400_000;
    const [slot] = await svc().sites.addSlots(GUIYANG, site.id, [
      { startsAt: t, endsAt: t + 3600_000, capacity: 1 },
    ]);
    const a = await svc().bookings.book('p:1', slot?.id as number);
    expect((await svc().bookings.book('p:1', slot?.id as number)).id).toBe(a.id);
    await expect(svc().bookings.book('p:2', slot?.id as number)).rejects.toMatchObject({ code: 'SLOT_FULL' });
    await svc().bookings.cancel('p:1', a.id);
    expect((await svc().bookings.book('p:2', slot?.id as number)).status).toBe('booked');
    expect((await svc().sites.slots(site.id))[0]).toMatchObject({ capacity: 1, booked: 1, remaining: 0 });
  });
});

describe('outbox relay', () => {
  it('publishes every pending event once and marks it', async () => {
    const pending = async () =>
      (
        await svc().db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM testing.outbox WHERE published_at IS NULL',
        )
      ).rows[0]?.n ?? 0;
    const before = await pending();
    expect(before).toBeGreaterThan(0);
    let relayed = 0;
    for (let n = await svc().relay.relayOnce(); n > 0; n = await svc().relay.relayOnce()) relayed += n;
    expect(relayed).toBe(before);
    expect(await pending()).toBe(0);
    expect(await svc().relay.relayOnce()).toBe(0);
  });

  it('can publish recent events again on start (in-process bus), and the store ignores the repeats', async () => {
    // every result event published so far handled, so none of the first deliveries lands after `before`
    const published = async () =>
      (
        await svc().db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM testing.outbox WHERE published_at IS NOT NULL AND subject = '${TestingSubjects.result}'`,
        )
      ).rows[0]?.n ?? 0;
    const results = await published();
    expect(results).toBeGreaterThan(0);
    await eventually(
      async () => w.consumer.stats.results + w.consumer.stats.duplicates >= results,
      'first deliveries handled',
    );
    const before = { ...w.consumer.stats };
    const relay = new OutboxRelay(svc().db, w.ctx.bus, w.ctx.clock, w.ctx.log, {
      replayOnStartMs: 600_000,
      intervalMs: 60_000,
    });
    relay.start();
    await eventually(
      async () => w.consumer.stats.duplicates >= before.results + before.duplicates,
      'replays handled',
    );
    await relay.stop();
    expect(w.consumer.stats.results).toBe(before.results);
  });
});

describe('testing audit log chain', () => {
  interface Row {
    id: number;
    seq: number;
    at: Date;
    actor: string;
    action: string;
    region_code: string | null;
    detail: Record<string, unknown>;
    prev_hash: Uint8Array;
    hash: Uint8Array;
  }
  const db = () => svc().db;
  const audit = () => svc().audit;
  const rows = async () =>
    (await db().query<Row>('SELECT * FROM testing.audit_log WHERE seq IS NOT NULL ORDER BY seq')).rows;
  /** Puts saved rows back as they were (ids included). */
  const restore = async (saved: Row[]) => {
    for (const r of saved) {
      await db().query('DELETE FROM testing.audit_log WHERE id = $1', [r.id]);
      await db().query(
        `INSERT INTO testing.audit_log (id, seq, at, actor, action, region_code, detail, prev_hash, hash)
         OVERRIDING SYSTEM VALUE VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
        [r.id, r.seq, r.at, r.actor, r.action, r.region_code, JSON.stringify(r.detail), r.prev_hash, r.hash],
      );
    }
  };

  it('chains every write of the service; an edit, a deleted row, a rehashed edit and a cut-off end are found', async () => {
    await svc().sites.addSite(GUIYANG, { name: '链测试点 chain site', regionCode: '520102', address: '' });
    const all = await rows();
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.map((r) => Number(r.seq))).toEqual(all.map((_, i) => i + 1));
    expect(await audit().verify()).toMatchObject({ ok: true, rows: all.length, unchained: 0 });
    const cp = await audit().checkpoint();
    expect(cp).toMatchObject({ seq: all.length });
    expect(await audit().verify()).toMatchObject({ ok: true, checkpoints: 1 });

    // an edited row
    await db().query(`UPDATE testing.audit_log SET actor = 'officer:99' WHERE seq = 2`);
    expect(await audit().verify()).toMatchObject({ ok: false, brokenAt: 2, reason: 'CHAIN_BROKEN' });
    await restore(all);
    expect(await audit().verify()).toMatchObject({ ok: true });

    // a row deleted from the middle
    await db().query('DELETE FROM testing.audit_log WHERE seq = 2');
    expect(await audit().verify()).toMatchObject({ ok: false, brokenAt: 3, reason: 'CHAIN_BROKEN' });
    await restore(all);

    // an edit with every later hash recomputed passes the walk, not the signed checkpoint
    let prev: Uint8Array = all[0]!.hash;
    for (const r of all.slice(1)) {
      const actor = Number(r.seq) === 2 ? 'officer:99' : r.actor;
      const h = chainHash(
        sha256,
        prev,
        testingAuditFields(Number(r.seq), r.at.toISOString(), { ...r, actor, regionCode: r.region_code }),
      );
      await db().query('UPDATE testing.audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [
        actor,
        Buffer.from(prev),
        Buffer.from(h),
        r.seq,
      ]);
      prev = h;
    }
    expect(await audit().verify()).toMatchObject({
      ok: false,
      brokenAt: all.length,
      reason: 'CHECKPOINT_MISMATCH',
    });
    await restore(all);

    // the newest row deleted: the checkpoint names it
    await db().query('DELETE FROM testing.audit_log WHERE seq = $1', [all.length]);
    expect(await audit().verify()).toMatchObject({ ok: false, brokenAt: all.length, reason: 'TRUNCATED' });
    // ... also with the stored checkpoints gone, against a copy kept elsewhere
    await db().query('DELETE FROM testing.audit_checkpoints');
    expect(await audit().verify()).toMatchObject({ ok: true });
    expect(await audit().verify([cp!])).toMatchObject({ ok: false, reason: 'TRUNCATED' });
    await restore(all);
    expect(await audit().verify([cp!])).toMatchObject({ ok: true, checkpoints: 1 });

    // the platform log's checkpoint does not pass for this log's (a label of its own)
    await w.ctx.audit.append({ actor: 'test', action: 'test.entry' });
    const platform = (await w.ctx.audit.checkpoint())!;
    expect(await audit().verify([platform])).toMatchObject({ ok: false, reason: 'CHECKPOINT_FORGED' });
  });

  it('counts rows written before the chain apart', async () => {
    await db().query(
      `INSERT INTO testing.audit_log (at, actor, action, detail) VALUES (now(), 'legacy', 'nat.legacy', '{}')`,
    );
    expect(await audit().verify()).toMatchObject({ ok: true, unchained: 1 });
  });
});

describe.skipIf(USE_SERVICES)('testing migrations', () => {
  it('create only the testing schema on a database of its own', async () => {
    const db = await openDatabase({});
    try {
      expect(await migrateTesting(db)).toEqual([
        '0001_schema.sql',
        '0002_audit_log.sql',
        '0010_audit_log_chain.sql',
      ]);
      expect(await migrateTesting(db)).toEqual([]);
      const tables = await db.query<{ table_schema: string }>(
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('collections', 'persons')",
      );
      expect(tables.rows.map((r) => r.table_schema)).toEqual(['testing']);
    } finally {
      await db.close();
    }
  });
});
