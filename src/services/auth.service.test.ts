import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock.port.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const lastCode = async (ctx: TestContext) =>
  /(\d{6})/.exec(
    (await ctx.db.query<{ body: string }>('SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1')).rows[0]
      ?.body ?? '',
  )?.[1] ?? '';

describe('one-time code sign-in', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
  });
  afterAll(() => ctx?.destroy());
  const clock = () => ctx.clock as ManualClock;

  it('signs in with the texted code once; the code cannot be reused', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    const code = await lastCode(ctx);
    const r = await ctx.auth.login(p.phone, code);
    expect(ctx.auth.bearer(r.accessToken)).toEqual({ kind: 'resident', personId: p.id });
    await expect(ctx.auth.login(p.phone, code)).rejects.toMatchObject({ code: 'AUTH_BAD_CODE' });
  });

  it('rejects a wrong code, an expired code, and locks after 5 attempts', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    const code = await lastCode(ctx);
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(ctx.auth.login(p.phone, wrong)).rejects.toMatchObject({ code: 'AUTH_BAD_CODE' });
    for (let i = 0; i < 4; i++) await ctx.auth.login(p.phone, wrong).catch(() => undefined);
    await expect(ctx.auth.login(p.phone, code)).rejects.toMatchObject({
      code: 'AUTH_TOO_MANY_ATTEMPTS',
      status: 429,
    });

    clock().advance(61_000);
    await ctx.auth.requestOtp(p.phone);
    const code2 = await lastCode(ctx);
    clock().advance(301_000);
    await expect(ctx.auth.login(p.phone, code2)).rejects.toMatchObject({ code: 'AUTH_BAD_CODE' });
  });

  it('rate-limits requests per phone: 60 s apart, 5 an hour', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    await expect(ctx.auth.requestOtp(p.phone)).rejects.toMatchObject({
      code: 'AUTH_OTP_TOO_SOON',
      status: 429,
      retryAfterSeconds: 60,
    });
    for (let i = 0; i < 4; i++) {
      clock().advance(61_000);
      await ctx.auth.requestOtp(p.phone);
    }
    clock().advance(61_000);
    await expect(ctx.auth.requestOtp(p.phone)).rejects.toMatchObject({ code: 'AUTH_OTP_HOURLY_LIMIT' });
    clock().advance(3600_000);
    await expect(ctx.auth.requestOtp(p.phone)).resolves.toMatchObject({ sent: true });
  });

  it('answers unknown phones like known ones but sends nothing', async () => {
    const before = (await ctx.db.query<{ n: number }>('SELECT count(*)::int n FROM sms_outbox')).rows[0]!.n;
    await expect(ctx.auth.requestOtp('13311112222')).resolves.toMatchObject({ sent: true });
    const after = (await ctx.db.query<{ n: number }>('SELECT count(*)::int n FROM sms_outbox')).rows[0]!.n;
    expect(after).toBe(before);
    await expect(ctx.auth.requestOtp('12345')).rejects.toMatchObject({ code: 'AUTH_BAD_PHONE', status: 400 });
  });

  it('expires access tokens', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    const { accessToken } = await ctx.auth.login(p.phone, await lastCode(ctx));
    clock().advance(ctx.config.accessTokenTtlSeconds * 1000 + 1000);
    expect(ctx.auth.bearer(accessToken)).toBeUndefined();
  });
});
