/**
 * Wires adapters and services from the configuration: embedded (PGlite, in-process cache and bus)
 * by default, PostgreSQL / Redis / NATS JetStream when their URLs are set. Every process role
 * starts from this one context.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { AccessTokens } from '../adapters/crypto/access-token.ts';
import {
  createSecrets,
  loadOrCreateMasterKeyFile,
  parseMasterKey,
  type Secrets,
} from '../adapters/crypto/secrets.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { Migrator } from '../adapters/db/migrate.ts';
import { MemoryBus } from '../adapters/bus/memory-bus.ts';
import { FileClock } from '../adapters/clock/file-clock.ts';
import { NatsBus } from '../adapters/bus/nats-bus.ts';
import { MemoryStatusCache } from '../adapters/cache/memory-status-cache.ts';
import { RedisStatusCache } from '../adapters/cache/redis-status-cache.ts';
import { SigningThread } from '../adapters/crypto/signing-thread.ts';
import { NodeSigner } from '../adapters/crypto/node-signer.ts';
import { SigningKeyRepository } from '../adapters/repositories/signing-key.repository.ts';
import { FactRepository } from '../adapters/repositories/fact.repository.ts';
import { IssuedCodeRepository } from '../adapters/repositories/issued-code.repository.ts';
import { PersonRepository } from '../adapters/repositories/person.repository.ts';
import { StatusRepository } from '../adapters/repositories/status.repository.ts';
import { SmsOutboxRepository } from '../adapters/repositories/auth/sms-outbox.repository.ts';
import { WebhookSmsGateway } from '../adapters/sms/webhook-sms-gateway.ts';
import { AuditLogRepository } from '../adapters/repositories/audit-log.repository.ts';
import type { TokenSigner } from '../domain/token/jkm1.ts';
import { AuditCheckpointRepository } from '../adapters/repositories/audit-checkpoint.repository.ts';
import { createCheckpointSigning } from '../adapters/crypto/checkpoint-signing.ts';
import { PolicyRepository } from '../adapters/repositories/policy.repository.ts';
import { DbUnitOfWork } from '../adapters/db/unit-of-work.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
import { ScryptPasswordHasher } from '../adapters/crypto/passwords.ts';
import { StaffRepository } from '../adapters/repositories/auth/staff.repository.ts';
import { OtpRepository } from '../adapters/repositories/auth/otp.repository.ts';
import { DeviceRepository } from '../adapters/repositories/auth/device.repository.ts';
import { MemoryAttemptLimiter } from '../adapters/limits/memory-attempt-limiter.ts';
import { RedisAttemptLimiter } from '../adapters/limits/redis-attempt-limiter.ts';
import type { AttemptLimiter } from '../ports/attempt-limiter.port.ts';
import { SignInGuard } from '../services/sign-in-guard.ts';
import { SessionService } from '../services/session.service.ts';
import { SessionRepository } from '../adapters/repositories/auth/session.repository.ts';
import { systemClock, type Clock } from '../ports/clock.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import type { SchemaMigrations } from '../ports/schema-migrations.port.ts';
import type { SmsGateway } from '../ports/sms.port.ts';
import type { StatusCache } from '../ports/status-cache.port.ts';
import { AuditService } from '../services/audit.service.ts';
import { AuthService } from '../services/auth.service.ts';
import { CodeService } from '../services/code.service.ts';
import { CodeRevocationService } from '../services/code-revocation.service.ts';
import { TrustListService } from '../services/trust-list.service.ts';
import { FactService } from '../services/fact.service.ts';
import { KeyService } from '../services/key.service.ts';
import { PolicyService } from '../services/policy.service.ts';
import { ResidentService } from '../services/resident.service.ts';
import { SmsService } from '../services/sms.service.ts';
import { StaffService } from '../services/staff.service.ts';
import { StatusService } from '../services/status.service.ts';
import { CorrectionService } from '../services/correction.service.ts';
import { VerifyService } from '../services/verify.service.ts';
import type { Places } from '../services/places/places.ts';
import { createPlaces } from './places.feature.ts';
import { schemaOnStart, type SchemaOnStart } from './schema.ts';
import { followActivePolicy, type PolicyFollower } from './policy-follower.ts';
import { natsNames } from '../adapters/bus/nats-names.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  clock: Clock;
  db: Database;
  /** the platform's migration set on `db`: `pending()` before serving, `apply()` for `hc migrate` */
  migrations: SchemaMigrations;
  cache: StatusCache;
  bus: EventBus;
  /** the SMS outbox (one-time codes) */
  sms: SmsService;
  secrets: Secrets;
  repos: { persons: PersonRepository; facts: FactRepository; statuses: StatusRepository };
  audit: AuditService;
  policies: PolicyService;
  residents: ResidentService;
  facts: FactService;
  statuses: StatusService;
  /** officer corrections, written atomically with their audit entry */
  corrections: CorrectionService;
  /** atomic work across stores */
  uow: UnitOfWork;
  keys: KeyService;
  codes: CodeService;
  /** revoking single long-lived codes */
  codeRevocations: CodeRevocationService;
  /** the published trust list: keys, revoked codes, maximum colour age */
  trustList: TrustListService;
  verify: VerifyService;
  auth: AuthService;
  /** risk areas, matching, itinerary card, venues, check-ins (roles/places.feature.ts) */
  places: Places;
  staff: StaffService;
  /** follows a policy version another process publishes */
  policyFollower: PolicyFollower;
  /** sign-in sessions (logout, revocation, purge) */
  sessions: SessionService;
  close(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  log?: Logger;
  db?: Database;
  cache?: StatusCache;
  bus?: EventBus;
  masterKey?: Buffer;
  /** SMS gateway instead of the configured webhook (tests, in-process harnesses) */
  smsGateway?: SmsGateway;
  /** sign-in counters and locks instead of the configured ones (Redis or memory) */
  limiter?: AttemptLimiter;
  /** skip migrations (the caller ran them); same as `schema: 'skip'` */
  skipMigrate?: boolean;
  /**
   * the schema on start: 'apply' (the embedded default, demo mode), 'check' (production: refuse
   * an out-of-date schema), 'skip' (`hc migrate`, callers that migrated); default by demo mode
   */
  schema?: SchemaOnStart;
}

export async function createContext(config: Config, o: ContextOverrides = {}): Promise<AppContext> {
  const log = o.log ?? pino({ level: config.logLevel, base: { role: config.role } });
  const fileClock = !o.clock && config.testClockFile ? new FileClock(config.testClockFile) : undefined;
  const clock = o.clock ?? fileClock ?? systemClock;
  const master = o.masterKey ?? masterKeyFor(config);
  const secrets = createSecrets(master);
  const db =
    o.db ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pg') }));
  const migrations = new Migrator(db);
  const schema = o.schema ?? (o.skipMigrate ? 'skip' : config.demo ? 'apply' : 'check');
  try {
    const applied = await schemaOnStart(migrations, schema, 'the platform database');
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    if (!o.db) await db.close().catch(() => undefined);
    throw err;
  }
  const cache =
    o.cache ??
    (config.redisUrl
      ? new RedisStatusCache(config.redisUrl, 'hc:', { nearCacheEntries: config.nearCacheEntries })
      : new MemoryStatusCache());
  const nats = natsNames(config.natsPrefix);
  const bus =
    o.bus ??
    (config.natsUrl
      ? await NatsBus.connect({
          url: config.natsUrl,
          stream: `${nats.streamPrefix}HC`,
          prefix: nats.subjectPrefix,
        })
      : new MemoryBus());
  const smsGateway =
    o.smsGateway ??
    (config.smsWebhookUrl ? new WebhookSmsGateway(config.smsWebhookUrl, config.smsWebhookToken) : undefined);
  const sms = new SmsService(new SmsOutboxRepository(db), smsGateway, secrets, clock, log);
  const repos = {
    persons: new PersonRepository(db),
    facts: new FactRepository(db),
    statuses: new StatusRepository(db),
  };
  const uow = new DbUnitOfWork(db);
  // Checkpoints are signed with the code-signing key (`keys`, made below; used only after start-up).
  const audit: AuditService = new AuditService(new AuditLogRepository(db), clock, {
    checkpoints: new AuditCheckpointRepository(db),
    signing: createCheckpointSigning(db, (): Promise<TokenSigner> => keys.currentSigner()),
  });
  const policyStore = new PolicyRepository(db);
  const policies = new PolicyService(policyStore, uow, audit, clock);
  // another process may publish a version: follow it (roles/policy-follower.ts)
  const policyFollower = followActivePolicy(policyStore, policies, log);
  const residents = new ResidentService(repos.persons, secrets, clock);
  const facts = new FactService(repos.facts, bus, clock);
  const statuses = new StatusService(repos.persons, repos.facts, repos.statuses, cache, policies, clock);
  const corrections = new CorrectionService(uow, repos.persons, policies, facts, audit, clock);
  const signingThread = config.signingThread ? new SigningThread() : undefined;
  const keys = new KeyService(
    new SigningKeyRepository(db),
    new NodeSigner(signingThread),
    secrets,
    audit,
    clock,
    config.issuer,
    config.paperCodeTtlSeconds,
    uow,
  );
  const issuedCodes = new IssuedCodeRepository(db);
  const trustList = new TrustListService(keys, issuedCodes, policies, clock);
  const codes = new CodeService(
    statuses,
    keys,
    policies,
    clock,
    {
      issuer: config.issuer,
      screenTtlSeconds: config.codeTtlSeconds,
      paperTtlSeconds: config.paperCodeTtlSeconds,
    },
    { uow, audit, persons: repos.persons, trustList },
  );
  const codeRevocations = new CodeRevocationService(issuedCodes, repos.persons, uow, audit, trustList, clock);
  const subjects = {
    subjectOf: async (id: number) => (await repos.persons.byId(id))?.code_subject,
    personOf: async (subject: string) => (await repos.persons.bySubject(subject))?.id,
  };
  const verify = new VerifyService(trustList, subjects, repos.persons, codes, issuedCodes, clock);
  const hasher = new ScryptPasswordHasher();
  const staffStore = new StaffRepository(db);
  const staff = new StaffService(staffStore, hasher, audit, clock, uow);
  const limiter =
    o.limiter ??
    (config.redisUrl ? new RedisAttemptLimiter(config.redisUrl, 'hc:auth:') : new MemoryAttemptLimiter());
  const sessions = new SessionService(new SessionRepository(db), audit, clock, uow);
  staff.useSessions(sessions);
  const auth = new AuthService(
    {
      sessions,
      audit,
      uow,
      persons: repos.persons,
      otps: new OtpRepository(db),
      devices: new DeviceRepository(db),
      guard: new SignInGuard(limiter),
      secrets,
      tokens: new AccessTokens(secrets.tokenKey),
      sms,
      clock,
      staff: staffStore,
      staffAccounts: staff,
      hasher,
    },
    {
      otpTtlSeconds: config.otpTtlSeconds,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      demo: config.demo,
    },
  );
  const places = await createPlaces({
    issuer: config.issuer,
    clock,
    db,
    uow,
    persons: repos.persons,
    audit,
    facts,
    keys,
    auth,
    residents,
    verify,
    policies,
  });
  return {
    config,
    log,
    clock,
    db,
    migrations,
    cache,
    bus,
    sms,
    secrets,
    repos,
    audit,
    policies,
    residents,
    facts,
    statuses,
    corrections,
    uow,
    keys,
    codes,
    codeRevocations,
    trustList,
    verify,
    auth,
    places,
    staff,
    policyFollower,
    sessions,
    async close() {
      await signingThread?.close();
      fileClock?.close();
      policyFollower.stop();
      await bus.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await limiter.close().catch(() => undefined);
      await db.close().catch(() => undefined);
    },
  };
}

function masterKeyFor(config: Config): Buffer {
  if (config.masterKey) return parseMasterKey(config.masterKey);
  if (config.demo) return loadOrCreateMasterKeyFile(config.dataDir);
  throw new ConfigError(
    'HC_MASTER_KEY is required outside demo mode (32 bytes as 64 hex characters or base64)',
  );
}

/** A random master key (tests). */
export function randomMasterKey(): Buffer {
  return crypto.randomBytes(32);
}
