/**
 * A write and its audit entry commit together or not at all (docs/DESIGN.md §11): when the audit
 * row cannot be written, the key, device, session, staff, task, venue, risk-area or listed-city
 * change it records is not made either, and nothing that follows a change (a re-match) runs.
 * The failure is real: a trigger on audit_log refuses the actions named in a table, on the embedded
 * database and on PostgreSQL alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import { createResponseTaskService } from '../roles/feeds.feature.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.keys.ensureKey();
  await ctx.db.query(`CREATE TABLE test_refused_audit (action text PRIMARY KEY)`);
  await ctx.db.query(`
    CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM test_refused_audit WHERE action = NEW.action) THEN
        RAISE EXCEPTION 'audit refused for %', NEW.action;
      END IF;
      RETURN NEW;
    END $$`);
  await ctx.db.query(
    `CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`,
  );
});
afterAll(async () => {
  await ctx?.destroy();
});

/** Runs `work` while the audit log refuses `actions`; the error it raised. */
async function withAuditRefused(actions: string[], work: () => Promise<unknown>): Promise<unknown> {
  for (const a of actions) await ctx.db.query('INSERT INTO test_refused_audit VALUES ($1)', [a]);
  try {
    await work();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await ctx.db.query('DELETE FROM test_refused_audit');
  }
}

const count = async (sql: string, params: unknown[] = []) =>
  (await ctx.db.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;
const auditCount = (action: string) =>
  count('SELECT count(*)::int AS n FROM audit_log WHERE action = $1', [action]);

describe('write and audit in one transaction', () => {
  it('key revocation: refused audit leaves the key live and no successor; then both happen', async () => {
    const list = await ctx.keys.trustList();
    const kid = list.keys[0]!.kid;
    const keysBefore = await count('SELECT count(*)::int AS n FROM signing_keys');
    const err = await withAuditRefused(['keys.revoke'], () => ctx.keys.revoke(kid, 'test'));
    expect(String(err)).toContain('audit refused');
    expect(await count('SELECT count(*)::int AS n FROM signing_keys WHERE revoked')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM signing_keys')).toBe(keysBefore);
    // the successor key's audit entry refused: the revocation is undone with it
    const err2 = await withAuditRefused(['keys.rotate'], () => ctx.keys.revoke(kid, 'test'));
    expect(String(err2)).toContain('audit refused');
    expect(await count('SELECT count(*)::int AS n FROM signing_keys WHERE revoked')).toBe(0);
    expect(await auditCount('keys.revoke')).toBe(0);
    expect(await ctx.keys.revoke(kid, 'test')).toBe(true);
    expect(await count('SELECT count(*)::int AS n FROM signing_keys WHERE revoked')).toBe(1);
    expect(await auditCount('keys.revoke')).toBe(1);
    expect(await auditCount('keys.rotate')).toBe(1);
  });

  it('key rotation: refused audit leaves the current key signing', async () => {
    const kid = (await ctx.keys.currentSigner()).kid;
    const keysBefore = await count('SELECT count(*)::int AS n FROM signing_keys');
    const err = await withAuditRefused(['keys.rotate'], () => ctx.keys.rotate('test'));
    expect(String(err)).toContain('audit refused');
    expect(await count('SELECT count(*)::int AS n FROM signing_keys')).toBe(keysBefore);
    expect(await count('SELECT count(*)::int AS n FROM signing_keys WHERE retired_at IS NOT NULL')).toBe(0);
    expect(Buffer.from((await ctx.keys.currentSigner()).kid)).toEqual(Buffer.from(kid));
  });

  it('device add and revoke: refused audit leaves no device, then a live one', async () => {
    const before = await count('SELECT count(*)::int AS n FROM devices');
    const err = await withAuditRefused(['device.add'], () =>
      ctx.auth.addDevice('audited scanner', 'scanner', '520102', null, 'admin:test'),
    );
    expect(String(err)).toContain('audit refused');
    expect(await count('SELECT count(*)::int AS n FROM devices')).toBe(before);
    const d = await ctx.auth.addDevice('audited scanner', 'scanner', '520102', null, 'admin:test');
    expect(await auditCount('device.add')).toBe(1);
    const revokeErr = await withAuditRefused(['device.revoke'], () =>
      ctx.auth.revokeDevice(d.id, 'admin:test'),
    );
    expect(String(revokeErr)).toContain('audit refused');
    expect(
      await count('SELECT count(*)::int AS n FROM devices WHERE id = $1 AND revoked_at IS NULL', [d.id]),
    ).toBe(1);
    expect(await ctx.auth.deviceFromKey(d.apiKey)).toMatchObject({ kind: 'device', deviceId: d.id });
    await ctx.auth.revokeDevice(d.id, 'admin:test');
    expect(
      await count('SELECT count(*)::int AS n FROM devices WHERE id = $1 AND revoked_at IS NULL', [d.id]),
    ).toBe(0);
    expect(await auditCount('device.revoke')).toBe(1);
  });

  it('staff: a refused audit entry leaves no account, no change and no ended session', async () => {
    const err = await withAuditRefused(['staff.add'], () =>
      ctx.staff.add({ username: 'atomic-1', password: 'granite-willow-3318', role: 'admin' }, 'test'),
    );
    expect(String(err)).toContain('audit refused');
    expect(await ctx.staff.byUsername('atomic-1')).toBeUndefined();
    const a = await ctx.staff.add(
      { username: 'atomic-1', password: 'granite-willow-3318', role: 'officer', regionPrefix: '5201' },
      'test',
    );
    await ctx.auth.staffLogin('atomic-1', 'granite-willow-3318');
    const live = () =>
      count('SELECT count(*)::int AS n FROM sessions WHERE staff_id = $1 AND revoked_at IS NULL', [a.id]);
    expect(await live()).toBe(1);
    // the account change's entry refused
    const e1 = await withAuditRefused(['staff.update'], () =>
      ctx.staff.update(a.id, { regionPrefix: '520102', disabled: true }, 'admin:test'),
    );
    expect(String(e1)).toContain('audit refused');
    expect(await ctx.staff.byUsername('atomic-1')).toMatchObject({ regionPrefix: '5201', disabled: false });
    expect(await live()).toBe(1);
    // the sessions' entry refused: the account change is undone with it
    const e2 = await withAuditRefused(['session.revoke'], () =>
      ctx.staff.update(a.id, { disabled: true }, 'admin:test'),
    );
    expect(String(e2)).toContain('audit refused');
    expect(await ctx.staff.byUsername('atomic-1')).toMatchObject({ disabled: false });
    expect(await live()).toBe(1);
    const e3 = await withAuditRefused(['session.revoke'], () =>
      ctx.staff.add({ username: 'atomic-1', password: 'granite-willow-4429', role: 'admin' }, 'test'),
    );
    expect(String(e3)).toContain('audit refused');
    await expect(ctx.auth.staffLogin('atomic-1', 'granite-willow-3318')).resolves.toBeDefined();
    expect(await live()).toBe(2);
    await ctx.staff.update(a.id, { disabled: true }, 'admin:test');
    expect(await live()).toBe(0);
    expect(await auditCount('staff.update')).toBe(1);
    expect(await auditCount('session.revoke')).toBe(1);
  });

  it('staff logout: a refused audit entry leaves the session live', async () => {
    await ctx.staff.add({ username: 'atomic-2', password: 'granite-willow-3318', role: 'admin' }, 'test');
    const { accessToken } = await ctx.auth.staffLogin('atomic-2', 'granite-willow-3318');
    const p = (await ctx.auth.bearer(accessToken))!;
    expect(p).toMatchObject({ kind: 'staff' });
    const err = await withAuditRefused(['auth.logout'], () => ctx.auth.logout(p, 'staff:atomic-2'));
    expect(String(err)).toContain('audit refused');
    expect(await ctx.auth.bearer(accessToken)).toMatchObject({ kind: 'staff' });
    await ctx.auth.logout(p, 'staff:atomic-2');
    expect(await ctx.auth.bearer(accessToken)).toBeUndefined();
    expect(await auditCount('auth.logout')).toBe(1);
  });

  it('response task move: a refused audit entry leaves the task where it was', async () => {
    const p = await createResident(ctx);
    const id = (
      await ctx.db.query<{ id: number }>(
        `INSERT INTO response_tasks (person_id, region_code, list, category, tier, source_id, created_at, updated_at)
         VALUES ($1, '520102', 'test', 'close_contact', 'close', $2, now(), now()) RETURNING id`,
        [p.id, `atomic-task-${p.id}`],
      )
    ).rows[0]!.id;
    const tasks = createResponseTaskService(ctx);
    const state = async () =>
      (await ctx.db.query<{ state: string }>('SELECT state FROM response_tasks WHERE id = $1', [id])).rows[0]
        ?.state;
    const err = await withAuditRefused(['task.move'], () =>
      tasks.move(Number(id), 'contacted', '5201', 'officer:1'),
    );
    expect(String(err)).toContain('audit refused');
    expect(await state()).toBe('open');
    await tasks.move(Number(id), 'contacted', '5201', 'officer:1');
    expect(await state()).toBe('contacted');
    expect(await auditCount('task.move')).toBe(1);
  });

  const officer = { actor: 'officer:atomic', regionPrefix: '5201' };
  /** Venues by name, or the one venue of an id. */
  const venueRow = async (nameOrId: string | number) =>
    (
      await ctx.db.query<{ id: number; active: boolean; poster_nonce: Uint8Array; device: number | null }>(
        `SELECT id, active, poster_nonce, operator_device_id AS device FROM venues WHERE ${typeof nameOrId === 'string' ? 'name' : 'id'} = $1`,
        [nameOrId],
      )
    ).rows;

  it('venue register, reprint, close and open: a refused entry leaves the venue as it was', async () => {
    const input = {
      name: '原子场所',
      category: '商场',
      address: '南明区某路1号',
      lat: 26.56,
      lon: 106.67,
      adminCode: '520102',
    };
    const devices = await count('SELECT count(*)::int AS n FROM devices');
    const err = await withAuditRefused(['venue.register'], () => ctx.places.venues.register(officer, input));
    expect(String(err)).toContain('audit refused');
    expect(await venueRow(input.name)).toEqual([]);
    expect(await count('SELECT count(*)::int AS n FROM devices')).toBe(devices);

    const { venue, operator } = await ctx.places.venues.register(officer, input);
    expect((await venueRow(input.name))[0]?.device).toBe(operator.deviceId);
    expect(await auditCount('venue.register')).toBe(1);

    const v = (await ctx.places.venues.get(venue.id))!;
    const nonce = Buffer.from(v.poster_nonce);
    expect(
      String(await withAuditRefused(['venue.reprint'], () => ctx.places.venues.reprint('t', v))),
    ).toContain('audit refused');
    expect(Buffer.from((await venueRow(venue.id))[0]!.poster_nonce)).toEqual(nonce);
    await ctx.places.venues.reprint('t', v);
    expect(Buffer.from((await venueRow(venue.id))[0]!.poster_nonce)).not.toEqual(nonce);
    expect(await auditCount('venue.reprint')).toBe(1);

    const close = () => ctx.places.venues.setActive('t', v, false);
    expect(String(await withAuditRefused(['venue.close'], close))).toContain('audit refused');
    expect((await venueRow(venue.id))[0]?.active).toBe(true);
    await close();
    expect((await venueRow(venue.id))[0]?.active).toBe(false);
    const open = () => ctx.places.venues.setActive('t', v, true);
    expect(String(await withAuditRefused(['venue.open'], open))).toContain('audit refused');
    expect((await venueRow(venue.id))[0]?.active).toBe(false);
    await open();
    expect((await venueRow(venue.id))[0]?.active).toBe(true);
    expect(await auditCount('venue.close')).toBe(1);
    expect(await auditCount('venue.open')).toBe(1);
  });

  it('risk area publish, update and lift: a refused entry leaves no area, no version and no history', async () => {
    const input = {
      name: '原子风险区',
      level: 'medium' as const,
      center: { lat: 26.57, lon: 106.71 },
      radiusM: 300,
      regionCode: '520102',
    };
    const areas = () => count(`SELECT count(*)::int AS n FROM risk_areas WHERE name = '原子风险区'`);
    const history = () =>
      count(
        `SELECT count(*)::int AS n FROM risk_area_history h JOIN risk_areas a ON a.id = h.area_id WHERE a.name = '原子风险区'`,
      );
    const err = await withAuditRefused(['risk-area.publish'], () => ctx.places.areas.publish(officer, input));
    expect(String(err)).toContain('audit refused');
    expect(await areas()).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM risk_area_history')).toBe(0);

    const { area } = await ctx.places.areas.publish(officer, input);
    const id = Number(area.id);
    const version = async () =>
      (await ctx.db.query<{ v: number }>('SELECT version AS v FROM risk_areas WHERE id = $1', [id])).rows[0]
        ?.v;
    expect([await areas(), await history(), await auditCount('risk-area.publish')]).toEqual([1, 1, 1]);

    const update = () => ctx.places.areas.update(officer, id, { level: 'high' });
    expect(String(await withAuditRefused(['risk-area.update'], update))).toContain('audit refused');
    expect([await version(), await history()]).toEqual([1, 1]);
    await update();
    expect([await version(), await history(), await auditCount('risk-area.update')]).toEqual([2, 2, 1]);

    const lift = () => ctx.places.areas.lift(officer, id);
    expect(String(await withAuditRefused(['risk-area.lift'], lift))).toContain('audit refused');
    const lifted = () =>
      count('SELECT count(*)::int AS n FROM risk_areas WHERE id = $1 AND lifted_at IS NOT NULL', [id]);
    expect([await version(), await history(), await lifted()]).toEqual([2, 2, 0]);
    await lift();
    expect([await version(), await history(), await lifted()]).toEqual([3, 3, 1]);
    expect(await auditCount('risk-area.lift')).toBe(1);
  });

  it('city with cases publish and end: a refused entry lists nothing and records no fact', async () => {
    const now = ctx.clock.now();
    const p = await createResident(ctx, { regionCode: '110101' });
    await ctx.places.stores.stays.insert({
      person_id: p.id,
      started_at: new Date(now - 2 * 86_400_000),
      ended_at: new Date(now - 2 * 86_400_000 + 3_600_000),
      lat: 39.9,
      lon: 116.39,
      accuracy_m: 10,
      region_code: '110101',
      venue_id: null,
      source: 'carrier',
      source_record_id: `atomic-bj-${p.id}`,
    });
    const who = { actor: 'admin:atomic', regionPrefix: '' };
    const input = { regionCode: '1101', since: new Date(now - 4 * 86_400_000).toISOString() };
    const listed = () => count(`SELECT count(*)::int AS n FROM cities_with_cases WHERE region_code = '1101'`);
    const facts = () =>
      count(`SELECT count(*)::int AS n FROM facts WHERE person_id = $1 AND type = 'city_with_cases_stay'`, [
        p.id,
      ]);
    const err = await withAuditRefused(['city-with-cases.publish'], () =>
      ctx.places.cities.publish(who, input),
    );
    expect(String(err)).toContain('audit refused');
    expect([await listed(), await facts()]).toEqual([0, 0]);

    const { city, rematch } = await ctx.places.cities.publish(who, input);
    expect(rematch.facts).toBe(1);
    expect([await listed(), await facts(), await auditCount('city-with-cases.publish')]).toEqual([1, 1, 1]);

    const ended = () =>
      count('SELECT count(*)::int AS n FROM cities_with_cases WHERE id = $1 AND until IS NOT NULL', [
        city.id,
      ]);
    const end = () => ctx.places.cities.end(who, city.id);
    expect(String(await withAuditRefused(['city-with-cases.end'], end))).toContain('audit refused');
    expect(await ended()).toBe(0);
    await end();
    expect([await ended(), await auditCount('city-with-cases.end')]).toEqual([1, 1]);
  });
});
