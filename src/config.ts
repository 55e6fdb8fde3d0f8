/**
 * The one configuration object: environment variables parsed once, validated, typed.
 * With no variables set the platform runs embedded (PGlite, in-process cache and bus) in demo mode.
 */
import path from 'node:path';

export type Role = 'api' | 'worker' | 'testing' | 'companion' | 'all';

/** Roles a process can run today; `hub` (docs/DESIGN.md §9) is refused until it is built. */
export const ROLES: readonly Role[] = ['api', 'worker', 'testing', 'companion', 'all'];

/** The platform's companion runs (docs/COMPANIONS.md "Platform runs"). */
export interface CompanionConfig {
  /** hour (UTC+8) from which the previous day is run */
  hour: number;
  radiusM: number;
  gapS: number;
  minSeconds: number;
  /** days before a new case's event time its on-demand run looks back */
  caseDaysBefore: number;
  /** how often the scheduler looks at the clock, ms */
  tickMs: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  /**
   * HC_NATS_PREFIX: this deployment's names on a shared NATS server — subjects `<prefix>.hc.…`,
   * streams `<prefix>_HC`, `<prefix>_FEEDS`, `<prefix>_COMPANION_…` ('' = the plain names). Two
   * deployments on one server without it share the durable consumers and take each other's events.
   */
  natsPrefix: string;
  issuer: string;
  /** demo mode: seeds a city, exposes demo accounts and OTP codes; never in production */
  demo: boolean;
  demoResidents: number;
  /** 32-byte master key (hex or base64) encrypting PII and signing keys; generated file in demo mode */
  masterKey: string | undefined;
  codeTtlSeconds: number;
  paperCodeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  otpTtlSeconds: number;
  logLevel: string;
  role: Role;
  /** retention of raw location data, days */
  retentionDays: number;
  /** concurrent HTTP requests admitted before shedding load with 429 */
  maxInFlight: number;
  /** API documentation (OpenAPI, Swagger UI) at /docs; on in demo mode, off otherwise */
  docs: boolean;
  /**
   * Prometheus metrics: off, on the public listener at /metrics (demo mode's default), or on a
   * listener of their own (production's default: loopback, PORT + 1000), never both.
   */
  metrics: { kind: 'off' } | { kind: 'public' } | { kind: 'separate'; host: string; port: number };
  /** residents whose hot status an api process keeps in memory in front of Redis (0: off) */
  nearCacheEntries: number;
  /** SMS gateway webhook: one-time codes are POSTed there as {phone, text} (docs/SECURITY.md) */
  smsWebhookUrl: string | undefined;
  /** bearer token the platform sends to the SMS webhook */
  smsWebhookToken: string | undefined;
  /**
   * Addresses (comma-separated, CIDR allowed) of reverse proxies whose X-Forwarded-For names the
   * client; false: the socket's peer is the client. Sign-in limits count per client.
   */
  trustProxy: string | false;
  /** sign codes on one dedicated thread instead of the libuv pool (machines with a core to spare) */
  signingThread: boolean;
  companion: CompanionConfig;
  /**
   * HC_TEST_CLOCK: a file every process reads the time from (simulations, `hc simulate`); refused
   * under NODE_ENV=production
   */
  testClockFile: string | undefined;
}

export class ConfigError extends Error {}

function int(
  env: NodeJS.ProcessEnv,
  name: string,
  dflt: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function natsPrefix(env: NodeJS.ProcessEnv): string {
  const v = nonEmpty(env, 'HC_NATS_PREFIX') ?? '';
  if (!/^[A-Za-z0-9_-]{0,32}$/.test(v))
    throw new ConfigError(`HC_NATS_PREFIX must be up to 32 letters, digits, _ or -; got "${v}"`);
  return v;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = nonEmpty(env, name);
  if (v === undefined) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(v)) throw new ConfigError(`${name} must be an http(s) URL, got "${v}"`);
  return v;
}

/** HC_TRUST_PROXY: the proxies' addresses; "true" is refused (anyone could then name any client). */
function trustedProxies(env: NodeJS.ProcessEnv): string | false {
  const v = nonEmpty(env, 'HC_TRUST_PROXY');
  if (v === undefined || ['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
  const parts = v.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(p)))
    throw new ConfigError(
      `HC_TRUST_PROXY must list the reverse proxies' addresses (e.g. 127.0.0.1,10.0.0.0/8), got "${v}"`,
    );
  return parts.join(',');
}

/** Where /metrics is served (see Config.metrics). */
function metricsListener(env: NodeJS.ProcessEnv, port: number, demo: boolean): Config['metrics'] {
  if (!bool(env, 'HC_METRICS', true)) return { kind: 'off' };
  const host = nonEmpty(env, 'HC_METRICS_HOST') ?? '127.0.0.1';
  if (nonEmpty(env, 'HC_METRICS_PORT') !== undefined)
    return { kind: 'separate', host, port: int(env, 'HC_METRICS_PORT', 0, 0, 65535) };
  if (demo) return { kind: 'public' };
  // One process per port: its metrics 1000 above it (8080 → 9080), so two api processes on one
  // host don't collide. PORT=0 (tests) takes a free port for metrics too.
  if (port === 0) return { kind: 'separate', host, port: 0 };
  if (port + 1000 > 65535)
    throw new ConfigError(
      `PORT ${port} leaves no room for the metrics port (PORT + 1000): set HC_METRICS_PORT`,
    );
  return { kind: 'separate', host, port: port + 1000 };
}

function testClock(env: NodeJS.ProcessEnv): string | undefined {
  const file = nonEmpty(env, 'HC_TEST_CLOCK');
  if (file !== undefined && env.NODE_ENV === 'production')
    throw new ConfigError('HC_TEST_CLOCK moves the clock for simulations: never with NODE_ENV=production');
  return file === undefined ? undefined : path.resolve(file);
}

/**
 * Concurrent requests admitted before the overload guard answers 429 (docs/DESIGN.md §13). 512 never
 * shed on a 2-core machine: 1 500 connections queued behind the event loop until clients timed out
 * (0 × 429, p99 2.6 s). A code lookup costs a few milliseconds of CPU, so 64 in flight keep an
 * admitted request's wait around a few hundred milliseconds and answer the rest at once.
 */
export const DEFAULT_MAX_IN_FLIGHT = 64;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  const issuer = env.HC_ISSUER ?? 'CN-52';
  if (!/^[A-Z]{2}(-[0-9A-Z]{1,3})?$/.test(issuer)) {
    throw new ConfigError(`HC_ISSUER must look like "CN-52", got "${issuer}"`);
  }
  const role = (env.HC_ROLE ?? 'all') as Role;
  if ((role as string) === 'hub') {
    throw new ConfigError(
      'HC_ROLE=hub: the exchange hub (docs/DESIGN.md §9) is not built yet; run api, worker, testing, companion or all',
    );
  }
  if (!ROLES.includes(role)) {
    throw new ConfigError(`HC_ROLE must be one of ${ROLES.join(', ')}; got "${role}"`);
  }
  const port = int(env, 'PORT', 8080, 0, 65535);
  // Demo mode is on for the embedded default and off as soon as a real database is configured.
  const demo = bool(env, 'HC_DEMO', databaseUrl === undefined);
  return {
    port,
    // Demo mode hands out demo accounts (the admin password included) at /v1/demo/accounts: it
    // listens on loopback only unless HOST says otherwise. Production listens on every interface.
    host: nonEmpty(env, 'HOST') ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    dataDir: path.resolve(env.HC_DATA_DIR ?? './data'),
    databaseUrl,
    redisUrl: nonEmpty(env, 'REDIS_URL'),
    natsUrl: nonEmpty(env, 'NATS_URL'),
    natsPrefix: natsPrefix(env),
    issuer,
    demo,
    demoResidents: int(env, 'HC_DEMO_RESIDENTS', 10_000, 0, 50_000_000),
    masterKey: nonEmpty(env, 'HC_MASTER_KEY'),
    codeTtlSeconds: int(env, 'HC_CODE_TTL', 60, 10, 3600),
    paperCodeTtlSeconds: int(env, 'HC_PAPER_CODE_TTL', 30 * 86400, 3600, 366 * 86400),
    accessTokenTtlSeconds: int(env, 'HC_ACCESS_TTL', 7 * 86400, 60, 90 * 86400),
    otpTtlSeconds: int(env, 'HC_OTP_TTL', 300, 30, 3600),
    smsWebhookUrl: url(env, 'HC_SMS_WEBHOOK_URL'),
    smsWebhookToken: nonEmpty(env, 'HC_SMS_WEBHOOK_TOKEN'),
    trustProxy: trustedProxies(env),
    logLevel: env.LOG_LEVEL ?? 'info',
    role,
    retentionDays: int(env, 'HC_RETENTION_DAYS', 21, 1, 3650),
    maxInFlight: int(env, 'HC_MAX_IN_FLIGHT', DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000),
    docs: bool(env, 'HC_DOCS', demo),
    metrics: metricsListener(env, port, demo),
    // Off by default: on 2 cores one dedicated thread saves event-loop time but, when the
    // scheduler parks it, every code waits (p99 at a steady 5 000 req/s: 30–82 ms with it, 17–34 ms
    // with the libuv pool's four threads, in our runs; bench/results/code-display.md).
    signingThread: bool(env, 'HC_SIGNING_THREAD', false),
    // api processes serve codes: keep their residents near, with Redis invalidating (redis-status-cache.ts)
    nearCacheEntries: int(
      env,
      'HC_NEAR_CACHE_ENTRIES',
      role === 'api' || role === 'all' ? 200_000 : 0,
      0,
      100_000_000,
    ),
    testClockFile: testClock(env),
    companion: {
      hour: int(env, 'HC_COMPANION_HOUR', 2, 0, 23),
      radiusM: int(env, 'HC_COMPANION_RADIUS_M', 800, 1, 20_000),
      gapS: int(env, 'HC_COMPANION_GAP_S', 1800, 1, 86_400),
      minSeconds: int(env, 'HC_COMPANION_MIN_SECONDS', 600, 0, 86_400),
      caseDaysBefore: int(env, 'HC_COMPANION_CASE_DAYS', 4, 0, 14),
      tickMs: int(env, 'HC_COMPANION_TICK_MS', 1000, 10, 3_600_000),
    },
  };
}
