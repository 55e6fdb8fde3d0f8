/**
 * Policy versions (docs/DESIGN.md §3): stored as validated JSON, one active at a time. Publishing a
 * new version is audited, and `preview` shows how many residents would change colour first.
 */
import type { Database } from '../adapters/db/database.ts';
import { DEFAULT_POLICY } from '../domain/policy/default-policy.ts';
import { compilePolicy, type CompiledPolicy } from '../domain/policy/policy-engine.ts';
import { validatePolicy, type Policy } from '../domain/policy/policy.schema.ts';
import type { StatusReason, StoredReason } from '../domain/status.ts';
import type { Clock } from '../ports/clock.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';

export interface RuleText {
  label: { zh: string; en: string };
  release: { zh: string; en: string };
}

export interface ActivePolicy {
  policy: Policy;
  compiled: CompiledPolicy;
  texts: Map<string, RuleText>;
}

/** A rule's words from the policy texts; a rule the policy no longer has shows its id. */
export function ruleText(texts: ReadonlyMap<string, RuleText>, rule: string): RuleText {
  return texts.get(rule) ?? { label: { zh: rule, en: rule }, release: { zh: '', en: '' } };
}

/** Stored reasons with their rule's words, for showing them. */
export function labelReasons(
  reasons: readonly StoredReason[],
  texts: ReadonlyMap<string, RuleText>,
): StatusReason[] {
  return reasons.map((r) => {
    const t = ruleText(texts, r.rule);
    return { ...r, label: t.label, release: t.release };
  });
}

function activeOf(policy: Policy): ActivePolicy {
  const texts = new Map<string, RuleText>(
    policy.rules.map((r) => [r.id, { label: r.label, release: r.release }]),
  );
  texts.set('correction', policy.correction);
  return { policy, compiled: compilePolicy(policy), texts };
}

export class PolicyService {
  private current: ActivePolicy | undefined;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The active policy, compiled; installs the default one on an empty database. */
  async active(): Promise<ActivePolicy> {
    if (this.current) return this.current;
    return this.reload();
  }

  /** Re-reads the active version (after another process published one). */
  async reload(): Promise<ActivePolicy> {
    const row = (await this.db.query<{ document: unknown }>('SELECT document FROM policies WHERE active'))
      .rows[0];
    if (!row) {
      await this.db.query(
        `INSERT INTO policies (version, document, active, created_by, activated_at) VALUES ($1, $2, true, 'system', $3)
         ON CONFLICT DO NOTHING`,
        [DEFAULT_POLICY.version, JSON.stringify(DEFAULT_POLICY), new Date(this.clock.now())],
      );
      this.current = activeOf(DEFAULT_POLICY);
      return this.current;
    }
    const v = validatePolicy(row.document);
    if (!v.ok)
      throw new Error(
        `active policy in the database is invalid: ${v.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
    this.current = activeOf(v.policy);
    return this.current;
  }

  /** Validates a draft; throws POLICY_INVALID with every problem listed. */
  validate(document: unknown): Policy {
    const v = validatePolicy(document);
    if (!v.ok) throw new AppError('POLICY_INVALID', 422, 'policy document is invalid', v.errors);
    return v.policy;
  }

  /** Stores and activates a new version; the caller then runs a full recompute. */
  async publish(document: unknown, actor: string): Promise<Policy> {
    const policy = this.validate(document);
    await this.db.transaction(async (tx) => {
      const exists = await tx.query('SELECT 1 FROM policies WHERE version = $1', [policy.version]);
      if (exists.rows.length)
        throw new AppError('POLICY_VERSION_EXISTS', 409, `policy version ${policy.version} already exists`);
      await tx.query('UPDATE policies SET active = false WHERE active');
      await tx.query(
        'INSERT INTO policies (version, document, active, created_by, activated_at) VALUES ($1, $2, true, $3, $4)',
        [policy.version, JSON.stringify(policy), actor, new Date(this.clock.now())],
      );
    });
    await this.audit.append({ actor, action: 'policy.publish', detail: { version: policy.version } });
    this.current = activeOf(policy);
    return policy;
  }

  async versions(): Promise<
    Array<{ version: string; active: boolean; createdBy: string; createdAt: string }>
  > {
    const r = await this.db.query<{ version: string; active: boolean; created_by: string; created_at: Date }>(
      'SELECT version, active, created_by, created_at FROM policies ORDER BY created_at DESC',
    );
    return r.rows.map((x) => ({
      version: x.version,
      active: x.active,
      createdBy: x.created_by,
      createdAt: x.created_at.toISOString(),
    }));
  }

  /** Compiles a draft without storing it (preview of a change). */
  compileDraft(document: unknown): ActivePolicy {
    return activeOf(this.validate(document));
  }
}
