/**
 * Sign-in (docs/DESIGN.md §11): residents with phone + one-time code, staff with a password,
 * devices with API keys. One-time codes expire, allow 5 attempts, and are rate-limited per phone.
 */
import crypto from 'node:crypto';
import type { AccessTokens } from '../adapters/crypto/access-token.ts';
import type { Database } from '../adapters/db/database.ts';
import type { DeviceRole, Principal, StaffRole } from '../domain/principal.ts';
import type { PasswordHasher } from '../ports/password-hasher.port.ts';
import type { Secrets } from '../ports/secrets.port.ts';
import type { StaffStore } from '../ports/staff.port.ts';
import type { PersonRepository } from '../adapters/repositories/person.repository.ts';
import { normalisePhone } from '../domain/mask.ts';
import { phoneLookupInput } from '../domain/lookup-input.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { SmsSender } from '../ports/sms.port.ts';
import { AppError } from './app-error.ts';
import type { StaffService } from './staff.service.ts';

export interface AuthOptions {
  otpTtlSeconds: number;
  accessTtlSeconds: number;
  /** demo mode returns the code in the response */
  demo: boolean;
}

const RESEND_SECONDS = 60;
const MAX_PER_HOUR = 5;
const MAX_ATTEMPTS = 5;

export interface AuthDeps {
  db: Database;
  persons: PersonRepository;
  secrets: Secrets;
  tokens: AccessTokens;
  sms: SmsSender;
  clock: Clock;
  staff: StaffStore;
  staffAccounts: StaffService;
  hasher: PasswordHasher;
}

export class AuthService {
  private readonly deviceCache = new Map<string, { principal: Principal | undefined; at: number }>();
  private readonly db: Database;
  private readonly persons: PersonRepository;
  private readonly secrets: Secrets;
  private readonly tokens: AccessTokens;
  private readonly sms: SmsSender;
  private readonly clock: Clock;
  private readonly staff: StaffStore;
  private readonly staffAccounts: StaffService;
  private readonly hasher: PasswordHasher;
  /** a hash of a random password, checked for unknown usernames so they cost the same as known ones */
  private dummyHash: Promise<string> | undefined;

  constructor(
    deps: AuthDeps,
    private readonly opts: AuthOptions,
  ) {
    this.db = deps.db;
    this.persons = deps.persons;
    this.secrets = deps.secrets;
    this.tokens = deps.tokens;
    this.sms = deps.sms;
    this.clock = deps.clock;
    this.staff = deps.staff;
    this.staffAccounts = deps.staffAccounts;
    this.hasher = deps.hasher;
  }

  /** Sends a one-time code to a registered phone; in demo mode also returns it. */
  async requestOtp(rawPhone: string): Promise<{ sent: true; expiresInSeconds: number; demoCode?: string }> {
    const phone = normalisePhone(rawPhone);
    if (!phone)
      throw new AppError('AUTH_BAD_PHONE', 400, 'phone must be a mainland mobile number (11 digits)');
    const phoneHash = this.secrets.lookupHash(phoneLookupInput(phone));
    const now = this.clock.now();
    const prev = (
      await this.db.query<{ sent_at: Date; window_start: Date; window_count: number }>(
        'SELECT sent_at, window_start, window_count FROM otp_codes WHERE phone_hash = $1',
        [phoneHash],
      )
    ).rows[0];
    let windowStart = now;
    let windowCount = 1;
    if (prev) {
      const since = (now - prev.sent_at.getTime()) / 1000;
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
      if (now - prev.window_start.getTime() < 3600_000) {
        windowStart = prev.window_start.getTime();
        windowCount = prev.window_count + 1;
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
    // Unknown phones get the same answer as known ones, so the endpoint does not reveal who is registered.
    const registered = (await this.persons.byPhoneHash(phoneHash)).length > 0;
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.query(
      `INSERT INTO otp_codes (phone_hash, code_hash, expires_at, attempts, sent_at, window_start, window_count)
       VALUES ($1, $2, $3, 0, $4, $5, $6)
       ON CONFLICT (phone_hash) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at,
         attempts = 0, sent_at = EXCLUDED.sent_at, window_start = EXCLUDED.window_start, window_count = EXCLUDED.window_count`,
      [
        phoneHash,
        this.codeHash(phone, code),
        new Date(now + this.opts.otpTtlSeconds * 1000),
        new Date(now),
        new Date(windowStart),
        windowCount,
      ],
    );
    if (registered)
      await this.sms.send(
        phone,
        `【健康码】验证码 ${code}，${Math.round(this.opts.otpTtlSeconds / 60)} 分钟内有效，请勿告诉他人。Your code: ${code}`,
        now + this.opts.otpTtlSeconds * 1000,
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
  ): Promise<{ accessToken: string; expiresIn: number; personId: number }> {
    const phone = normalisePhone(rawPhone);
    if (!phone)
      throw new AppError('AUTH_BAD_PHONE', 400, 'phone must be a mainland mobile number (11 digits)');
    const phoneHash = this.secrets.lookupHash(phoneLookupInput(phone));
    const now = this.clock.now();
    const row = (
      await this.db.query<{ code_hash: Uint8Array; expires_at: Date; attempts: number }>(
        'UPDATE otp_codes SET attempts = attempts + 1 WHERE phone_hash = $1 RETURNING code_hash, expires_at, attempts',
        [phoneHash],
      )
    ).rows[0];
    const fail = new AppError('AUTH_BAD_CODE', 401, 'the code is wrong or has expired; ask for a new one');
    if (!row || row.expires_at.getTime() <= now) throw fail;
    if (row.attempts > MAX_ATTEMPTS)
      throw new AppError(
        'AUTH_TOO_MANY_ATTEMPTS',
        429,
        'too many wrong codes; ask for a new one',
        undefined,
        60,
      );
    const expected = Buffer.from(row.code_hash);
    const actual = this.codeHash(phone, String(code));
    if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) throw fail;
    await this.db.query('DELETE FROM otp_codes WHERE phone_hash = $1', [phoneHash]);
    // The guardian registers first; dependents sharing the phone are reached through the guardian.
    const person = (await this.persons.byPhoneHash(phoneHash)).find((p) => p.guardian_id === null);
    if (!person) throw fail;
    const accessToken = this.tokens.issue(
      { kind: 'resident', personId: person.id },
      this.opts.accessTtlSeconds,
      Math.floor(now / 1000),
    );
    return { accessToken, expiresIn: this.opts.accessTtlSeconds, personId: person.id };
  }

  /** Staff (officers, administrators) sign in with username and password. */
  async staffLogin(
    username: string,
    password: string,
  ): Promise<{ accessToken: string; expiresIn: number; role: StaffRole; regionPrefix: string }> {
    const row = await this.staff.byUsername(username);
    // Unknown usernames run the same scrypt work, so timing does not tell them apart.
    this.dummyHash ??= this.hasher.hash(crypto.randomBytes(18).toString('base64'));
    const ok = await this.hasher.verify(password, row?.passwordHash ?? (await this.dummyHash));
    if (!row || !ok || row.disabledAt !== null)
      throw new AppError('AUTH_BAD_CREDENTIALS', 401, '用户名或密码错误 wrong username or password');
    const ttl = Math.min(this.opts.accessTtlSeconds, 12 * 3600);
    const accessToken = this.tokens.issue(
      { kind: 'staff', staffId: row.id, role: row.role, regionPrefix: row.regionPrefix },
      ttl,
      Math.floor(this.clock.now() / 1000),
    );
    return { accessToken, expiresIn: ttl, role: row.role, regionPrefix: row.regionPrefix };
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
    const v = await this.staffAccounts.add({ username, password, displayName, role, regionPrefix }, actor);
    return v.id;
  }

  /** Registers a device and returns its API key, shown once. */
  async addDevice(
    name: string,
    role: DeviceRole,
    regionCode: string | null = null,
    venueId: number | null = null,
  ): Promise<{ id: number; apiKey: string }> {
    const secret = crypto.randomBytes(24).toString('base64url');
    const row = await this.db.kysely
      .insertInto('devices')
      .values({
        name,
        role,
        key_hash: crypto.createHash('sha256').update(secret).digest(),
        region_code: regionCode,
        venue_id: venueId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, apiKey: `hcd_${row.id}_${secret}` };
  }

  /** Resolves a device API key (cached 30 s so scanners do not hit the database per scan). */
  async deviceFromKey(apiKey: string): Promise<Principal | undefined> {
    const now = this.clock.now();
    const hit = this.deviceCache.get(apiKey);
    if (hit && now - hit.at < 30_000) return hit.principal;
    // at most 15 digits: a longer id is no device of ours and must not reach the bigint column
    const m = /^hcd_([1-9]\d{0,14})_([A-Za-z0-9_-]{20,})$/.exec(apiKey);
    let principal: Principal | undefined;
    if (m) {
      const row = await this.db.kysely
        .selectFrom('devices')
        .selectAll()
        .where('id', '=', Number(m[1]))
        .executeTakeFirst();
      const hash = crypto
        .createHash('sha256')
        .update(m[2] as string)
        .digest();
      if (row && !row.revoked_at && Buffer.from(row.key_hash).equals(hash)) {
        principal = {
          kind: 'device',
          deviceId: row.id,
          role: row.role as DeviceRole,
          regionCode: row.region_code,
          venueId: row.venue_id,
        };
      }
    }
    if (this.deviceCache.size > 10_000) this.deviceCache.clear();
    this.deviceCache.set(apiKey, { principal, at: now });
    return principal;
  }

  /** Bearer token → principal, or undefined. */
  bearer(token: string): Principal | undefined {
    return this.tokens.verify(token, Math.floor(this.clock.now() / 1000));
  }

  private codeHash(phone: string, code: string): Buffer {
    return crypto.createHmac('sha256', this.secrets.tokenKey).update(`otp:${phone}:${code}`).digest();
  }
}
