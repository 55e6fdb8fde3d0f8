import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../adapters/crypto/passwords.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';

describe('staff accounts', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx?.destroy());

  it('refuses weak passwords: short, common, containing the username', async () => {
    for (const [password, problem] of [
      ['x', 'PASSWORD_TOO_SHORT'],
      ['password1234', 'PASSWORD_COMMON'],
      ['zhang-san-officer', 'PASSWORD_CONTAINS_USERNAME'],
    ] as const) {
      await expect(
        ctx.staff.add({ username: 'zhang-san', password, role: 'admin' }, 'test'),
      ).rejects.toMatchObject({ code: 'STAFF_WEAK_PASSWORD', status: 400, details: { problem } });
    }
    expect(await ctx.staff.byUsername('zhang-san')).toBeUndefined();
  });

  it('requires a region for officers; the whole province only when named', async () => {
    await expect(
      ctx.staff.add({ username: 'no-region', password: 'pass-word-123', role: 'officer' }, 'test'),
    ).rejects.toMatchObject({ code: 'STAFF_REGION_REQUIRED', status: 400 });
    await expect(
      ctx.staff.add(
        { username: 'bad-region', password: 'pass-word-123', role: 'officer', regionPrefix: '5299' },
        'test',
      ),
    ).rejects.toMatchObject({ code: 'STAFF_BAD_REGION' });
    const province = await ctx.staff.add(
      { username: 'province', password: 'pass-word-123', role: 'officer', regionPrefix: '52' },
      'test',
    );
    expect(province).toMatchObject({ role: 'officer', regionPrefix: '52', disabled: false });
    const admin = await ctx.staff.add(
      { username: 'root-admin', password: 'pass-word-123', role: 'admin' },
      'test',
    );
    expect(admin.regionPrefix).toBe('');
    // an officer cannot be moved to "every region" either
    await expect(ctx.staff.update(province.id, { regionPrefix: '' }, 'test')).rejects.toMatchObject({
      code: 'STAFF_REGION_REQUIRED',
    });
    await expect(ctx.staff.update(admin.id, { role: 'officer' }, 'test')).rejects.toMatchObject({
      code: 'STAFF_REGION_REQUIRED',
    });
  });

  it('the database refuses an officer without a region too', async () => {
    await expect(
      ctx.db.query(
        `INSERT INTO staff (username, password_hash, display_name, role, region_prefix) VALUES ('raw', 'x', 'x', 'officer', '')`,
      ),
    ).rejects.toThrow(/staff_officer_has_region/);
  });

  it('audits additions and changes, and a disabled account cannot sign in', async () => {
    const o = await ctx.staff.add(
      { username: 'nanming-1', password: 'pass-word-123', role: 'officer', regionPrefix: '520102' },
      'admin:1',
    );
    // Screens get names, not the username or the region code: none given, none shown.
    await expect(ctx.auth.staffLogin('nanming-1', 'pass-word-123')).resolves.toMatchObject({
      regionPrefix: '520102',
      displayName: '',
      regionName: '南明区',
    });
    await ctx.staff.update(o.id, { displayName: '王芳' }, 'admin:1');
    await expect(ctx.auth.staffLogin('nanming-1', 'pass-word-123')).resolves.toMatchObject({
      displayName: '王芳',
    });
    await ctx.staff.update(o.id, { disabled: true }, 'admin:1');
    await expect(ctx.auth.staffLogin('nanming-1', 'pass-word-123')).rejects.toMatchObject({
      code: 'AUTH_BAD_CREDENTIALS',
      status: 401,
    });
    const actions = (
      await ctx.db.query<{ action: string; actor: string }>(
        `SELECT action, actor FROM audit_log WHERE detail->>'username' = 'nanming-1' ORDER BY seq`,
      )
    ).rows;
    expect(actions).toEqual([
      { action: 'staff.add', actor: 'admin:1' },
      { action: 'staff.update', actor: 'admin:1' },
      { action: 'staff.update', actor: 'admin:1' },
    ]);
    expect((await ctx.audit.verify()).ok).toBe(true);
  });

  it('checks an unknown username with the same scrypt work as a known one', async () => {
    const real = new ScryptPasswordHasher();
    const calls: string[] = [];
    const counting = {
      hash: (pw: string) => real.hash(pw),
      verify: async (pw: string, stored: string) => {
        calls.push(stored.split('$')[0]!);
        return real.verify(pw, stored);
      },
    };
    const { AuthService } = await import('./auth.service.ts');
    const { StaffRepository } = await import('../adapters/repositories/auth/staff.repository.ts');
    const { AccessTokens } = await import('../adapters/crypto/access-token.ts');
    const { OtpRepository } = await import('../adapters/repositories/auth/otp.repository.ts');
    const { DeviceRepository } = await import('../adapters/repositories/auth/device.repository.ts');
    const { MemoryAttemptLimiter } = await import('../adapters/limits/memory-attempt-limiter.ts');
    const { SignInGuard } = await import('./sign-in-guard.ts');
    const auth = new AuthService(
      {
        persons: ctx.repos.persons,
        otps: new OtpRepository(ctx.db),
        devices: new DeviceRepository(ctx.db),
        guard: new SignInGuard(new MemoryAttemptLimiter()),
        sessions: ctx.sessions,
        uow: ctx.uow,
        audit: ctx.audit,
        secrets: ctx.secrets,
        tokens: new AccessTokens(ctx.secrets.tokenKey),
        sms: ctx.sms,
        clock: ctx.clock,
        staff: new StaffRepository(ctx.db),
        staffAccounts: ctx.staff,
        hasher: counting,
      },
      { otpTtlSeconds: 300, accessTtlSeconds: 3600, demo: false },
    );
    await ctx.staff.add({ username: 'known-1', password: 'pass-word-123', role: 'admin' }, 'test');
    await expect(auth.staffLogin('known-1', 'wrong-password-1')).rejects.toMatchObject({ status: 401 });
    await expect(auth.staffLogin('nobody-here', 'wrong-password-1')).rejects.toMatchObject({ status: 401 });
    expect(calls).toEqual(['scrypt', 'scrypt']);
  });
});
