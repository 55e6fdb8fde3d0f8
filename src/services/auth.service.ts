/**
 * Sign-in (docs/DESIGN.md §11, docs/SECURITY.md): residents with phone + one-time code, staff with
 * a password, devices with API keys. Codes expire, allow a few tries and are limited per phone,
 * per client and for the whole platform; failed passwords lock the username and the client for a
 * while (SignInGuard).
 */
import crypto from 'node:crypto';
import type { DeviceRole, Principal, StaffRole } from '../domain/principal.ts';
import { normalisePhone } from '../domain/mask.ts';
import { regionPrefixName } from '../domain/regions.ts';
import { phoneLookupInput } from '../domain/lookup-input.ts';
import type { AccessTokenCodec } from '../ports/access-token.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { DeviceRecord, DeviceStore } from '../ports/device-store.port.ts';
import type { OtpStore } from '../ports/otp-store.port.ts';
import type { PasswordHasher } from '../ports/password-hasher.port.ts';
import type { Secrets } from '../ports/secrets.port.ts';
import type { SignInPersons } from '../ports/sign-in-person.port.ts';
import type { SmsSender } from '../ports/sms.port.ts';
import type { StaffStore } from '../ports/staff.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';
import type { Stores, UnitOfWork } from '../ports/unit-of-work.port.ts';
import type { SessionService } from './session.service.ts';
import type { SignInGuard } from './sign-in-guard.ts';
import type { StaffService } from './staff.service.ts';

export interface AuthOptions {
  otpTtlSeconds: number;
  accessTtlSeconds: number;
  /** demo mode returns the code in the response */
  demo: boolean;
}

const RESEND_SECONDS = 60;
const MAX_PER_HOUR = 5;
/** How long a resolved device key is remembered (a revocation in another process lands within it). */
export const DEVICE_CACHE_MS = 5_000;

export interface AuthDeps {
  persons: SignInPersons;
  otps: OtpStore;
  devices: DeviceStore;
  secrets: Secrets;
  tokens: AccessTokenCodec;
  sms: SmsSender;
  clock: Clock;
  staff: StaffStore;
  staffAccounts: StaffService;
  hasher: PasswordHasher;
  guard: SignInGuard;
  sessions: SessionService;
  audit: AuditService;
  /** a device added or revoked commits with its audit entry or not at all */
  uow: UnitOfWork;
}

/** A device as listed to administrators (never its key). */
export interface DeviceView {
  id: number;
  name: string;
  role: DeviceRole;
  regionCode: string | null;
  venueId: number | null;
  createdAt: string;
  revokedAt: string | null;
}

export class AuthService {
  private readonly deviceCache = new Map<string, { principal: Principal | undefined; at: number }>();
  private readonly d: AuthDeps;
  /** a hash of a random password, checked for unknown usernames so they cost the same as known ones */
  private dummyHash: Promise<string> | undefined;

  constructor(
    deps: AuthDeps,
    private readonly opts: AuthOptions,
  ) {
    this.d = deps;
  }

  /**
   * Sends a one-time code to a registered phone; in demo mode also returns it. `client` is the
   * caller's address (HTTP), counted against the per-client limit; in-process callers pass none.
   */
  async requestOtp(
    rawPhone: string,
    client?: string,
  ): Promise<{ sent: true; expiresInSeconds: number; demoCode?: string }> {
    const phone = normalisePhone(rawPhone);
    if (!phone)
      throw new AppError('AUTH_BAD_PHONE', 400, 'phone must be a mainland mobile number (11 digits)');
    const phoneHash = this.d.secrets.lookupHash(phoneLookupInput(phone));
    const now = this.d.clock.now();
    await this.d.guard.checkPhone(phoneKey(phoneHash), now);
    const prev = await this.d.otps.sendWindow(phoneHash);
    let windowStart = now;
    let windowCount = 1;
    if (prev) {
      const since = (now - prev.sentAt) / 1000;
      if (since < RESEND_SECONDS) {
        const wait = Math.ceil(RESEND_SECONDS - since);
        throw new AppError(
          'AUTH_OTP_TOO_SOON',
          429,
          `wait ${wait} s before asking for another code`,
          undefined,
          wait,
        );
      }
      if (now - prev.windowStart < 3600_000) {
        windowStart = prev.windowStart;
        windowCount = prev.windowCount + 1;
        if (windowCount > MAX_PER_HOUR) {
          const wait = Math.ceil((windowStart + 3600_000 - now) / 1000);
          throw new AppError(
            'AUTH_OTP_HOURLY_LIMIT',
            429,
            'too many codes requested for this phone in one hour',
            undefined,
            wait,
          );
        }
      }
    }
    await this.d.guard.otpRequested(client, now);
    // Unknown phones get the same answer as known ones, so the endpoint does not reveal who is registered.
    const registered = (await this.d.persons.byPhoneHash(phoneHash)).length > 0;
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = now + this.opts.otpTtlSeconds * 1000;
    await this.d.otps.save(phoneHash, {
      codeHash: this.codeHash(phone, code),
      expiresAt,
      sentAt: now,
      windowStart,
      windowCount,
    });
    if (registered)
      await this.d.sms.send(
        phone,
        `【健康码】验证码 ${code}，${Math.round(this.opts.otpTtlSeconds / 60)} 分钟内有效，请勿告诉他人。Your code: ${code}`,
        expiresAt,
      );
    const out: { sent: true; expiresInSeconds: number; demoCode?: string } = {
      sent: true,
      expiresInSeconds: this.opts.otpTtlSeconds,
    };
    if (this.opts.demo && registered) out.demoCode = code;
    return out;
  }

  /** Exchanges phone + code for an access token of the phone's (first) resident. */
  async login(
    rawPhone: string,
    code: string,
    client?: string,
  ): Promise<{ accessToken: string; expiresIn: number; personId: number }> {
    const phone = normalisePhone(rawPhone);
    if (!phone)
      throw new AppError('AUTH_BAD_PHONE', 400, 'phone must be a mainland mobile number (11 digits)');
    const phoneHash = this.d.secrets.lookupHash(phoneLookupInput(phone));
    const now = this.d.clock.now();
    await this.d.guard.checkOtpLogin(phoneKey(phoneHash), client, now);
    const row = await this.d.otps.attempt(phoneHash);
    const fail = new AppError('AUTH_BAD_CODE', 401, 'the code is wrong or has expired; ask for a new one');
    if (!row || row.expiresAt <= now) {
      await this.d.guard.otpFailed(client, now);
      throw fail;
    }
    const expected = Buffer.from(row.codeHash);
    const actual = this.codeHash(phone, String(code));
    if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) {
      await this.d.guard.otpFailed(client, now);
      if (row.attempts >= this.d.guard.current.otpAttemptsPerCode) {
        // Guessed too often: the code is void and the phone locked for a while.
        await this.d.otps.invalidate(phoneHash);
        throw await this.d.guard.lockPhone(phoneKey(phoneHash), now);
      }
      throw fail;
    }
    await this.d.otps.invalidate(phoneHash);
    // The guardian registers first; dependents sharing the phone are reached through the guardian.
    const person = (await this.d.persons.byPhoneHash(phoneHash)).find((p) => p.guardian_id === null);
    if (!person) throw fail;
    return this.residentSession(person.id);
  }

  /**
   * Starts a resident's session and returns its token. Sign-in by code ends here; in-process
   * callers (benchmarks, simulations) use it for residents they created.
   */
  async residentSession(
    personId: number,
  ): Promise<{ accessToken: string; expiresIn: number; personId: number }> {
    const ttl = this.opts.accessTtlSeconds;
    const sessionId = await this.d.sessions.start({ personId }, ttl);
    const accessToken = this.d.tokens.issue(
      { kind: 'resident', personId, sessionId },
      ttl,
      Math.floor(this.d.clock.now() / 1000),
    );
    return { accessToken, expiresIn: ttl, personId };
  }

  /**
   * Staff (officers, administrators) sign in with username and password. Refused while the
   * username or the client is locked, even with the right password.
   */
  async staffLogin(
    username: string,
    password: string,
    client?: string,
  ): Promise<{
    accessToken: string;
    expiresIn: number;
    role: StaffRole;
    regionPrefix: string;
    /** the name screens show; empty when the account has none but its username */
    displayName: string;
    /** the region prefix's name (贵阳市), null for the whole country */
    regionName: string | null;
  }> {
    const now = this.d.clock.now();
    await this.d.guard.checkStaff(username, client, now);
    const row = await this.d.staff.byUsername(username);
    // Unknown usernames run the same scrypt work, so timing does not tell them apart.
    this.dummyHash ??= this.d.hasher.hash(crypto.randomBytes(18).toString('base64'));
    const ok = await this.d.hasher.verify(password, row?.passwordHash ?? (await this.dummyHash));
    if (!row || !ok || row.disabledAt !== null) {
      await this.d.guard.staffFailed(username, client, now);
      throw new AppError('AUTH_BAD_CREDENTIALS', 401, '用户名或密码错误 wrong username or password');
    }
    await this.d.guard.staffSucceeded(username);
    const ttl = Math.min(this.opts.accessTtlSeconds, 12 * 3600);
    const sessionId = await this.d.sessions.start({ staffId: row.id }, ttl);
    const accessToken = this.d.tokens.issue(
      { kind: 'staff', staffId: row.id, role: row.role, regionPrefix: row.regionPrefix, sessionId },
      ttl,
      Math.floor(now / 1000),
    );
    return {
      accessToken,
      expiresIn: ttl,
      role: row.role,
      regionPrefix: row.regionPrefix,
      // An account added without a name carries its username as one: an identifier screens never show.
      displayName: row.displayName === row.username ? '' : row.displayName,
      regionName: regionPrefixName(row.regionPrefix) ?? null,
    };
  }

  /** Adds or resets a staff account (StaffService.add; kept for callers that sign in right after). */
  async addStaff(
    username: string,
    password: string,
    displayName: string,
    role: StaffRole,
    regionPrefix: string,
    actor = 'system',
  ): Promise<number> {
    const v = await this.d.staffAccounts.add({ username, password, displayName, role, regionPrefix }, actor);
    return v.id;
  }

  /** Registers a device and returns its API key, shown once. */
  async addDevice(
    name: string,
    role: DeviceRole,
    regionCode: string | null = null,
    venueId: number | null = null,
    /** who adds it: the device and its audit entry (device.add) commit together */
    actor?: string,
  ): Promise<{ id: number; apiKey: string }> {
    if (actor === undefined) return this.addDeviceIn(this.d, name, role, regionCode, venueId);
    return this.d.uow.run(async (s) => {
      const added = await this.addDeviceIn(s, name, role, regionCode, venueId);
      await this.d.audit.appendTo(s.audit, {
        actor,
        action: 'device.add',
        detail: { id: added.id, role, name },
      });
      return added;
    });
  }

  /**
   * Registers a device in the device store of `s` — a unit of work's, whose caller audits the change
   * it belongs to (a venue's operator device), or the service's own — and returns its API key, shown once.
   */
  async addDeviceIn(
    s: Pick<Stores, 'devices'>,
    name: string,
    role: DeviceRole,
    regionCode: string | null,
    venueId: number | null,
  ): Promise<{ id: number; apiKey: string }> {
    // the API key's tail, shown once; the row keeps its hash only
    const secret = crypto.randomBytes(24).toString('base64url');
    const keyHash = crypto.createHash('sha256').update(secret).digest();
    const id = await s.devices.add({ name, role, keyHash, regionCode, venueId });
    return { id, apiKey: `hcd_${id}_${secret}` };
  }

  /**
   * Resolves a device API key. Remembered DEVICE_CACHE_MS so scanners do not hit the database per
   * scan; a revocation in this process forgets it at once.
   */
  async deviceFromKey(apiKey: string): Promise<Principal | undefined> {
    const now = this.d.clock.now();
    const hit = this.deviceCache.get(apiKey);
    if (hit && now - hit.at < DEVICE_CACHE_MS && now >= hit.at) return hit.principal;
    // at most 15 digits: a longer id is no device of ours and must not reach the bigint column
    const m = /^hcd_([1-9]\d{0,14})_([A-Za-z0-9_-]{20,100})$/.exec(apiKey);
    let principal: Principal | undefined;
    if (m) {
      const row = await this.d.devices.byId(Number(m[1]));
      const hash = crypto
        .createHash('sha256')
        .update(m[2] as string)
        .digest();
      if (row && !row.revokedAt && Buffer.from(row.keyHash).equals(hash)) {
        principal = {
          kind: 'device',
          deviceId: row.id,
          role: row.role,
          regionCode: row.regionCode,
          venueId: row.venueId,
        };
      }
    }
    if (this.deviceCache.size > 10_000) this.deviceCache.clear();
    this.deviceCache.set(apiKey, { principal, at: now });
    return principal;
  }

  /**
   * Revokes a device's API key (audited): refused from the next request in this process and
   * within DEVICE_CACHE_MS on every other.
   */
  async revokeDevice(id: number, actor: string): Promise<DeviceView> {
    const row = await this.d.uow.run(async (s) => {
      const r = await s.devices.revoke(id, new Date(this.d.clock.now()));
      if (!r) throw new AppError('DEVICE_NOT_FOUND', 404, '没有该设备 no such device');
      await this.d.audit.appendTo(s.audit, {
        actor,
        action: 'device.revoke',
        detail: { id, role: r.role, name: r.name },
      });
      return r;
    });
    for (const [key, hit] of this.deviceCache)
      if (hit.principal?.kind === 'device' && hit.principal.deviceId === id) this.deviceCache.delete(key);
    return deviceView(row);
  }

  /** Every registered device (never a key). */
  async listDevices(): Promise<DeviceView[]> {
    return (await this.d.devices.list()).map(deviceView);
  }

  /**
   * Bearer token → principal, or undefined: the signature and expiry (AccessTokenCodec), then the
   * session — live, and for staff the account's current role and region (SessionService).
   */
  async bearer(token: string): Promise<Principal | undefined> {
    const p = this.d.tokens.verify(token, Math.floor(this.d.clock.now() / 1000));
    if (!p || p.kind === 'device') return undefined;
    return this.d.sessions.resolve(p);
  }

  /** Ends the caller's session: its token is refused from now on. */
  async logout(p: Principal, actor: string): Promise<void> {
    if (p.kind === 'device')
      throw new AppError(
        'AUTH_NO_SESSION',
        400,
        '设备密钥没有会话，请由管理员吊销 device keys are revoked by an administrator',
      );
    await this.d.sessions.end(p, actor);
  }

  private codeHash(phone: string, code: string): Buffer {
    return crypto.createHmac('sha256', this.d.secrets.tokenKey).update(`otp:${phone}:${code}`).digest();
  }
}

function deviceView(d: DeviceRecord): DeviceView {
  return {
    id: d.id,
    name: d.name,
    role: d.role,
    regionCode: d.regionCode,
    venueId: d.venueId,
    createdAt: d.createdAt.toISOString(),
    revokedAt: d.revokedAt?.toISOString() ?? null,
  };
}

/** The limiter's key of a phone: its keyed hash, so the limiter never holds a phone number. */
function phoneKey(phoneHash: Uint8Array): string {
  return Buffer.from(phoneHash).toString('base64url');
}
