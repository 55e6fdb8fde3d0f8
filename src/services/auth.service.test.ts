import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ManualClock } from '../ports/clock.port.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

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
    const code = ctx.smsInbox.lastCode(p.phone)!;
    const r = await ctx.auth.login(p.phone, code);
    expect(await ctx.auth.bearer(r.accessToken)).toMatchObject({ kind: 'resident', personId: p.id });
    await expect(ctx.auth.login(p.phone, code)).rejects.toMatchObject({ code: 'AUTH_BAD_CODE' });
  });

  it('rejects a wrong code, an expired code, and voids the code and locks the phone after 5 wrong ones', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    const code = ctx.smsInbox.lastCode(p.phone)!;
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(ctx.auth.login(p.phone, wrong)).rejects.toMatchObject({ code: 'AUTH_BAD_CODE' });
    for (let i = 0; i < 4; i++) await ctx.auth.login(p.phone, wrong).catch(() => undefined);
    await expect(ctx.auth.login(p.phone, code)).rejects.toMatchObject({
      code: 'AUTH_TOO_MANY_ATTEMPTS',
      status: 429,
    });

    // the phone stays locked for a while: no new code either
    clock().advance(61_000);
    await expect(ctx.auth.requestOtp(p.phone)).rejects.toMatchObject({ code: 'AUTH_TOO_MANY_ATTEMPTS' });
    clock().advance(900_000);
    await ctx.auth.requestOtp(p.phone);
    const code2 = ctx.smsInbox.lastCode(p.phone)!;
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
    const before = ctx.smsInbox.messages.length;
    await expect(ctx.auth.requestOtp('13311112222')).resolves.toMatchObject({ sent: true });
    expect(ctx.smsInbox.messages.length).toBe(before);
    expect(await ctx.sms.pending()).toBe(0);
    await expect(ctx.auth.requestOtp('12345')).rejects.toMatchObject({ code: 'AUTH_BAD_PHONE', status: 400 });
  });

  it('expires access tokens', async () => {
    const p = await createResident(ctx);
    await ctx.auth.requestOtp(p.phone);
    const { accessToken } = await ctx.auth.login(p.phone, ctx.smsInbox.lastCode(p.phone)!);
    clock().advance(ctx.config.accessTokenTtlSeconds * 1000 + 1000);
    expect(await ctx.auth.bearer(accessToken)).toBeUndefined();
  });
});

describe('one-time codes stay secret outside demo mode', () => {
  let ctx: TestContext;
  const lines: string[] = [];
  beforeAll(async () => {
    const log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    ctx = await createTestContext({ at: T0, log });
  });
  afterAll(() => ctx?.destroy());
  const clock = () => ctx.clock as ManualClock;

  it('delivers the code through the gateway only: not in the response, the logs, the outbox or the code table', async () => {
    const p = await createResident(ctx);
    const r = await ctx.auth.requestOtp(p.phone);
    expect(r).toEqual({ sent: true, expiresInSeconds: 300 });
    const code = ctx.smsInbox.lastCode(p.phone)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(ctx.smsInbox.last(p.phone)?.text).toContain('请勿告诉他人');
    // delivered, so nothing is kept
    expect(await ctx.sms.pending()).toBe(0);
    const otp = (await ctx.db.query<Record<string, unknown>>('SELECT * FROM otp_codes')).rows;
    expect(otp).toHaveLength(1);
    const stored = JSON.stringify(otp, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    expect(stored).not.toContain(code);
    expect(Object.keys(otp[0]!).sort()).toEqual(
      ['attempts', 'code_hash', 'expires_at', 'phone_hash', 'sent_at', 'window_count', 'window_start'].sort(),
    );
    expect((otp[0]!.code_hash as Uint8Array).length).toBe(32);
    await ctx.auth.login(p.phone, code);
    const logged = lines.join('');
    expect(logged).not.toContain(code);
    expect(logged).not.toContain(p.phone);
    expect(logged).not.toContain(p.phone.slice(-4));
  });

  it('keeps an undelivered message sealed, retries it, and deletes it once sent or expired', async () => {
    const p = await createResident(ctx);
    ctx.smsInbox.failing = true;
    clock().advance(120_000);
    await ctx.auth.requestOtp(p.phone);
    expect(ctx.smsInbox.last(p.phone)).toBeUndefined();
    const rows = (await ctx.db.query<Record<string, unknown>>('SELECT * FROM sms_outbox')).rows;
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(
      ['attempts', 'created_at', 'expires_at', 'id', 'next_attempt_at', 'phone_enc', 'text_enc'].sort(),
    );
    const sealed = Buffer.concat([rows[0]!.phone_enc as Uint8Array, rows[0]!.text_enc as Uint8Array]);
    expect(sealed.includes(Buffer.from(p.phone))).toBe(false);
    expect(sealed.includes(Buffer.from('验证码'))).toBe(false);
    // not due yet: the relay leaves it
    expect(await ctx.sms.relay()).toEqual({ delivered: 0, failed: 0, expired: 0 });
    clock().advance(11_000);
    expect(await ctx.sms.relay()).toEqual({ delivered: 0, failed: 1, expired: 0 });
    ctx.smsInbox.failing = false;
    clock().advance(11_000);
    expect(await ctx.sms.relay()).toEqual({ delivered: 1, failed: 0, expired: 0 });
    expect(ctx.smsInbox.lastCode(p.phone)).toMatch(/^\d{6}$/);
    expect(await ctx.sms.pending()).toBe(0);

    // a message the gateway never takes is deleted when its code expires
    const q = await createResident(ctx);
    ctx.smsInbox.failing = true;
    await ctx.auth.requestOtp(q.phone);
    expect(await ctx.sms.pending()).toBe(1);
    clock().advance(301_000);
    expect(await ctx.sms.relay()).toMatchObject({ delivered: 0, expired: 1 });
    expect(await ctx.sms.pending()).toBe(0);
    ctx.smsInbox.failing = false;
  });
});

describe('demo mode', () => {
  it('answers the code in the response, and still keeps it out of the outbox and the logs', async () => {
    const lines: string[] = [];
    const ctx = await createTestContext({
      at: T0,
      config: { demo: true },
      log: pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) }),
    });
    try {
      const p = await createResident(ctx);
      const r = await ctx.auth.requestOtp(p.phone);
      expect(r.demoCode).toMatch(/^\d{6}$/);
      expect(lines.join('')).not.toContain(r.demoCode);
      await expect(ctx.auth.login(p.phone, r.demoCode!)).resolves.toMatchObject({ personId: p.id });
    } finally {
      await ctx.destroy();
    }
  });
});
