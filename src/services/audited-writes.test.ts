/**
 * A write and its audit entry commit together or not at all (docs/DESIGN.md §11): when the audit
 * row cannot be written, the key, device, session or staff change it records is not made either.
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
});
