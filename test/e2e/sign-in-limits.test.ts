/**
 * Guessing is limited (docs/SECURITY.md "Sign-in limits"): failed staff passwords lock the
 * username and the client — the right password is refused during the lock and works after it; one
 * client asking for many codes or guessing codes across many phones gets 429; a phone whose code
 * was guessed too often is locked and the code void. On both adapters (memory / Redis limiter).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/ports/clock.port.ts';
import { MemoryAttemptLimiter } from '../../src/adapters/limits/memory-attempt-limiter.ts';
import { clientKey, DEFAULT_SIGN_IN_LIMITS, SignInGuard } from '../../src/services/sign-in-guard.ts';
import { createTestContext, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { testServer } from './http.ts';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const ATTACKER = '203.0.113.7';

describe('sign-in limits over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  const clock = () => ctx.clock as ManualClock;

  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
    app = await testServer(ctx);
    await ctx.staff.add({ username: 'admin-1', password: 'sesame-river-4417', role: 'admin' }, 'test');
    await ctx.staff.add(
      { username: 'officer-1', password: 'lantern-quay-9281', role: 'officer', regionPrefix: '5201' },
      'test',
    );
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  const staffLogin = (username: string, password: string, remoteAddress = ATTACKER) =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/staff',
      payload: { username, password },
      remoteAddress,
    });

  it('200 wrong admin passwords, then the right one: refused with 429 until the lock ends, then signed in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await staffLogin('admin-1', `wrong-guess-${i}`)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    const locked = await staffLogin('admin-1', 'sesame-river-4417');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: { code: 'AUTH_LOCKED' } });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(
      DEFAULT_SIGN_IN_LIMITS.staffLockSeconds,
    );
    // from another network too: the username itself is locked
    expect((await staffLogin('admin-1', 'sesame-river-4417', '198.51.100.9')).statusCode).toBe(429);

    clock().advance(DEFAULT_SIGN_IN_LIMITS.staffLockSeconds * 1000);
    const ok = await staffLogin('admin-1', 'sesame-river-4417', '198.51.100.9');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ role: 'admin' });
  });

  it('one client trying many usernames is locked; other clients are not', async () => {
    clock().advance(3600_000);
    const client = '203.0.113.99';
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_SIGN_IN_LIMITS.staffFailuresPerClient + 5; i++)
      statuses.push((await staffLogin(`guess-user-${i}`, 'wrong-password-1', client)).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_SIGN_IN_LIMITS.staffFailuresPerClient);
    expect(statuses.at(-1)).toBe(429);
    // the right password of a real account from that client is refused too
    expect((await staffLogin('officer-1', 'lantern-quay-9281', client)).statusCode).toBe(429);
    expect((await staffLogin('officer-1', 'lantern-quay-9281', '198.51.100.10')).statusCode).toBe(200);
    // unknown usernames are locked like known ones, so a lock tells nothing about who exists
    const unknown = '198.51.100.11';
    for (let i = 0; i < DEFAULT_SIGN_IN_LIMITS.staffFailuresPerUser; i++)
      await staffLogin('no-such-user', 'wrong-password-1', unknown);
    expect((await staffLogin('no-such-user', 'wrong-password-1', unknown)).json()).toMatchObject({
      error: { code: 'AUTH_LOCKED' },
    });
  });

  it('40 codes and 100 wrong guesses across 20 phones from one client get 429', async () => {
    clock().advance(3600_000);
    const phones = await Promise.all(Array.from({ length: 20 }, () => createResident(ctx)));
    const otp = (phone: string, remoteAddress = ATTACKER) =>
      app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone }, remoteAddress });
    const login = (phone: string, code: string, remoteAddress = ATTACKER) =>
      app.inject({ method: 'POST', url: '/v1/auth/login', payload: { phone, code }, remoteAddress });

    const requests: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const p of phones) requests.push((await otp(p.phone)).statusCode);
      clock().advance(61_000);
    }
    expect(requests.filter((s) => s === 200)).toHaveLength(DEFAULT_SIGN_IN_LIMITS.otpRequestsPerClient);
    expect(requests.filter((s) => s === 429)).toHaveLength(40 - DEFAULT_SIGN_IN_LIMITS.otpRequestsPerClient);
    const refused = await otp(phones[19]!.phone);
    expect(refused.json()).toMatchObject({ error: { code: 'AUTH_OTP_CLIENT_LIMIT' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const guesses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const p = phones[i % 20]!;
      const code = String(i).padStart(6, '0');
      guesses.push(
        (await login(p.phone, code === ctx.smsInbox.lastCode(p.phone) ? '999999' : code)).statusCode,
      );
    }
    expect(guesses.filter((s) => s === 401)).toHaveLength(DEFAULT_SIGN_IN_LIMITS.otpFailuresPerClient);
    expect(guesses.slice(DEFAULT_SIGN_IN_LIMITS.otpFailuresPerClient).every((s) => s === 429)).toBe(true);
    // a code that was sent works from another client, not from the locked one
    const p = phones[0]!;
    const code = ctx.smsInbox.lastCode(p.phone)!;
    const fromAttacker = await login(p.phone, code);
    expect(fromAttacker.statusCode).toBe(429);
    expect(fromAttacker.json()).toMatchObject({ error: { code: 'AUTH_CLIENT_LOCKED' } });
    expect((await login(p.phone, code, '198.51.100.20')).statusCode).toBe(200);
  });

  it('behind a trusted proxy counts the forwarded client; X-Forwarded-For from anyone else is ignored', async () => {
    clock().advance(7200_000);
    const proxied = await testServer({ ...ctx, config: { ...ctx.config, trustProxy: '127.0.0.1' } });
    try {
      const phones = await Promise.all(Array.from({ length: 12 }, () => createResident(ctx)));
      const ask = (phone: string, remoteAddress: string, forwardedFor: string) =>
        proxied.inject({
          method: 'POST',
          url: '/v1/auth/otp',
          payload: { phone },
          remoteAddress,
          headers: { 'x-forwarded-for': forwardedFor },
        });
      const limit = DEFAULT_SIGN_IN_LIMITS.otpRequestsPerClient;
      // through the proxy: client .1 uses up its limit, client .2 is not affected
      for (let i = 0; i < limit; i++)
        expect((await ask(phones[i]!.phone, '127.0.0.1', '192.0.2.1')).statusCode).toBe(200);
      expect((await ask(phones[limit]!.phone, '127.0.0.1', '192.0.2.1')).statusCode).toBe(429);
      expect((await ask(phones[limit]!.phone, '127.0.0.1', '192.0.2.2')).statusCode).toBe(200);
      // an untrusted peer naming a new client in every request is still one client
      clock().advance(3600_000);
      const statuses: number[] = [];
      for (let i = 0; i < limit + 1; i++)
        statuses.push((await ask(phones[i]!.phone, '203.0.113.50', `192.0.2.${100 + i}`)).statusCode);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await proxied.close();
    }
  });

  it('5 wrong codes void the code and lock the phone; a new code only after the lock', async () => {
    clock().advance(7200_000);
    const p = await createResident(ctx);
    const client = '198.51.100.30';
    const ask = () =>
      app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: p.phone }, remoteAddress: client });
    const login = (code: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { phone: p.phone, code },
        remoteAddress: client,
      });
    expect((await ask()).statusCode).toBe(200);
    const code = ctx.smsInbox.lastCode(p.phone)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_SIGN_IN_LIMITS.otpAttemptsPerCode; i++)
      statuses.push((await login(wrong)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await login(code);
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({ error: { code: 'AUTH_TOO_MANY_ATTEMPTS' } });
    clock().advance(120_000);
    expect((await ask()).statusCode).toBe(429);
    clock().advance(DEFAULT_SIGN_IN_LIMITS.otpPhoneLockSeconds * 1000);
    // the old code stays void
    expect((await login(code)).statusCode).toBe(401);
    expect((await ask()).statusCode).toBe(200);
    expect((await login(ctx.smsInbox.lastCode(p.phone)!)).statusCode).toBe(200);
  });
});

describe('platform-wide code limits', () => {
  it('pauses codes for everyone past the global rate, whatever the client', async () => {
    const guard = new SignInGuard(new MemoryAttemptLimiter(), {
      ...DEFAULT_SIGN_IN_LIMITS,
      otpRequestsGlobalPerMinute: 3,
      otpFailuresGlobalPerMinute: 4,
    });
    for (let i = 0; i < 3; i++) await guard.otpRequested(`198.51.100.${i}`, T0);
    await expect(guard.otpRequested('198.51.100.50', T0 + 1000)).rejects.toMatchObject({
      code: 'AUTH_OTP_BUSY',
      status: 429,
      retryAfterSeconds: 59,
    });
    await expect(guard.otpRequested('198.51.100.50', T0 + 60_000)).resolves.toBeUndefined();
    for (let i = 0; i < 4; i++) await guard.otpFailed(`198.51.100.${i}`, T0);
    await expect(guard.checkOtpLogin('phone', '198.51.100.60', T0 + 1000)).rejects.toMatchObject({
      code: 'AUTH_OTP_BUSY',
    });
    await expect(guard.checkOtpLogin('phone', '198.51.100.60', T0 + 60_000)).resolves.toBeUndefined();
  });

  it('counts IPv6 clients by their /64 network', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
  });
});
