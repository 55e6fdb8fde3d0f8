/**
 * Limits on guessing (docs/SECURITY.md "Sign-in limits"): failed staff passwords lock the
 * username and the client for a while; one-time codes are limited per client and for the whole
 * platform besides per phone, and wrong codes lock the client and the phone. Counts live in an
 * AttemptLimiter shared by every api node. A locked sign-in is refused even with the right
 * password or code, so guessing during a lock learns nothing.
 */
import crypto from 'node:crypto';
import type { AttemptLimiter } from '../ports/attempt-limiter.port.ts';
import { AppError } from './app-error.ts';

export interface SignInLimits {
  /** failed passwords for one username within the window before it is locked */
  staffFailuresPerUser: number;
  /** failed passwords from one client (any usernames) within the window before it is locked */
  staffFailuresPerClient: number;
  staffWindowSeconds: number;
  staffLockSeconds: number;
  /** one-time codes one client may ask for within its window (besides 1 a minute, 5 an hour per phone) */
  otpRequestsPerClient: number;
  otpClientWindowSeconds: number;
  /** wrong codes from one client within the hour before it is locked */
  otpFailuresPerClient: number;
  otpClientLockSeconds: number;
  /** wrong tries one code allows; then it is invalidated and the phone locked */
  otpAttemptsPerCode: number;
  otpPhoneLockSeconds: number;
  /** one-time codes sent by the whole platform per minute (SMS budget, mass abuse) */
  otpRequestsGlobalPerMinute: number;
  /** wrong codes across the whole platform per minute before sign-in by code pauses */
  otpFailuresGlobalPerMinute: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  staffFailuresPerUser: 5,
  staffFailuresPerClient: 20,
  staffWindowSeconds: 900,
  staffLockSeconds: 900,
  otpRequestsPerClient: 10,
  otpClientWindowSeconds: 600,
  otpFailuresPerClient: 20,
  otpClientLockSeconds: 3600,
  otpAttemptsPerCode: 5,
  otpPhoneLockSeconds: 900,
  otpRequestsGlobalPerMinute: 600,
  otpFailuresGlobalPerMinute: 300,
};

const minutes = (s: number) => Math.max(1, Math.ceil(s / 60));

/**
 * The key of a client address: IPv4 as it is, IPv6 by its /64 network (one subscriber usually
 * holds a whole /64, so counting single addresses would count nothing).
 */
export function clientKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1] as string;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
    : h;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class SignInGuard {
  constructor(
    private readonly limiter: AttemptLimiter,
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {}

  /** The limits in force (docs, tests). */
  get current(): SignInLimits {
    return this.limits;
  }

  /** Refuses a staff sign-in while the username or the client is locked. */
  async checkStaff(username: string, client: string | undefined, now: number): Promise<void> {
    const until = await this.firstLock([userKey(username), client && `staff:c:${clientKey(client)}`], now);
    if (until !== undefined) {
      const wait = Math.ceil((until - now) / 1000);
      throw new AppError(
        'AUTH_LOCKED',
        429,
        `登录失败次数过多，请 ${minutes(wait)} 分钟后再试 too many failed sign-ins; try again in ${minutes(wait)} min`,
        undefined,
        wait,
      );
    }
  }

  /** Counts a failed staff password; locks the username or the client once over the limit. */
  async staffFailed(username: string, client: string | undefined, now: number): Promise<void> {
    const l = this.limits;
    const windowMs = l.staffWindowSeconds * 1000;
    const until = now + l.staffLockSeconds * 1000;
    const u = userKey(username);
    if ((await this.limiter.hit(u, windowMs, now)).count >= l.staffFailuresPerUser) {
      await this.limiter.clear(u);
      await this.limiter.lock(u, until, now);
    }
    if (client) {
      const c = `staff:c:${clientKey(client)}`;
      if ((await this.limiter.hit(c, windowMs, now)).count >= l.staffFailuresPerClient) {
        await this.limiter.clear(c);
        await this.limiter.lock(c, until, now);
      }
    }
  }

  /** A right password: the username's failures are forgotten (the client's are not). */
  async staffSucceeded(username: string): Promise<void> {
    await this.limiter.clear(userKey(username));
  }

  /**
   * Counts a request for a one-time code against the client's and the platform's limits. Only
   * requests from outside (HTTP, with a client address) count; the CLI and tests pass none.
   */
  async otpRequested(client: string | undefined, now: number): Promise<void> {
    if (!client) return;
    const l = this.limits;
    await this.refuseLockedClient(client, now);
    const r = await this.limiter.hit(`otp:rq:${clientKey(client)}`, l.otpClientWindowSeconds * 1000, now);
    if (r.count > l.otpRequestsPerClient)
      throw new AppError(
        'AUTH_OTP_CLIENT_LIMIT',
        429,
        '验证码请求过于频繁，请稍后再试 too many codes requested from this device or network; try again later',
        undefined,
        Math.ceil((r.resetAt - now) / 1000),
      );
    const g = await this.limiter.hit('otp:rq:all', 60_000, now);
    if (g.count > l.otpRequestsGlobalPerMinute) throw busy(Math.ceil((g.resetAt - now) / 1000));
  }

  /** Refuses sign-in by code while the phone, the client or the platform's code sign-in is locked. */
  async checkOtpLogin(phoneKey: string, client: string | undefined, now: number): Promise<void> {
    await this.checkPhone(phoneKey, now);
    if (!client) return;
    await this.refuseLockedClient(client, now);
    const globalUntil = await this.limiter.lockedUntil('otp:f:all', now);
    if (globalUntil !== undefined) throw busy(Math.ceil((globalUntil - now) / 1000));
  }

  /** Counts a wrong code: the client and the platform's counts; locks over the limit. */
  async otpFailed(client: string | undefined, now: number): Promise<void> {
    if (!client) return;
    const l = this.limits;
    const c = `otp:f:c:${clientKey(client)}`;
    if ((await this.limiter.hit(c, 3600_000, now)).count >= l.otpFailuresPerClient) {
      await this.limiter.clear(c);
      await this.limiter.lock(c, now + l.otpClientLockSeconds * 1000, now);
    }
    const g = await this.limiter.hit('otp:f:n:all', 60_000, now);
    if (g.count >= l.otpFailuresGlobalPerMinute) await this.limiter.lock('otp:f:all', g.resetAt, now);
  }

  /** Locks sign-in and new codes for a phone whose code was guessed too often; returns the error to throw. */
  async lockPhone(phoneKey: string, now: number): Promise<AppError> {
    await this.limiter.lock(`otp:p:${phoneKey}`, now + this.limits.otpPhoneLockSeconds * 1000, now);
    return tooManyAttempts(this.limits.otpPhoneLockSeconds);
  }

  /** Refuses a new code for a locked phone. */
  async checkPhone(phoneKey: string, now: number): Promise<void> {
    const until = await this.limiter.lockedUntil(`otp:p:${phoneKey}`, now);
    if (until !== undefined) throw tooManyAttempts(Math.ceil((until - now) / 1000));
  }

  private async refuseLockedClient(client: string, now: number): Promise<void> {
    const until = await this.limiter.lockedUntil(`otp:f:c:${clientKey(client)}`, now);
    if (until !== undefined) {
      const wait = Math.ceil((until - now) / 1000);
      throw new AppError(
        'AUTH_CLIENT_LOCKED',
        429,
        `错误验证码过多，请 ${minutes(wait)} 分钟后再试 too many wrong codes from this device or network; try again in ${minutes(wait)} min`,
        undefined,
        wait,
      );
    }
  }

  private async firstLock(keys: Array<string | undefined | ''>, now: number): Promise<number | undefined> {
    let latest: number | undefined;
    for (const k of keys) {
      if (!k) continue;
      const until = await this.limiter.lockedUntil(k, now);
      if (until !== undefined && (latest === undefined || until > latest)) latest = until;
    }
    return latest;
  }
}

/** Usernames are counted case-folded and hashed: the limiter's store never holds one. */
function userKey(username: string): string {
  return `staff:u:${crypto.createHash('sha256').update(username.trim().toLowerCase()).digest('base64url').slice(0, 22)}`;
}

function tooManyAttempts(wait: number): AppError {
  return new AppError(
    'AUTH_TOO_MANY_ATTEMPTS',
    429,
    `错误次数过多，验证码已失效，请 ${minutes(wait)} 分钟后重新获取 too many wrong codes; the code is void, ask for a new one in ${minutes(wait)} min`,
    undefined,
    wait,
  );
}

function busy(wait: number): AppError {
  return new AppError(
    'AUTH_OTP_BUSY',
    429,
    '验证码服务繁忙，请稍后再试 sign-in by code is busy; try again shortly',
    undefined,
    Math.max(1, wait),
  );
}
