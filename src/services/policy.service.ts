/**
 * Policy versions (docs/DESIGN.md §3): stored as validated JSON, one active at a time. Publishing a
 * new version is audited, and `preview` shows how many residents would change colour first.
 */
import { DEFAULT_POLICY } from '../domain/policy/default-policy.ts';
import { compilePolicy, type CompiledPolicy } from '../domain/policy/policy-engine.ts';
import { validatePolicy, type Policy } from '../domain/policy/policy.schema.ts';
import type { StatusReason, StoredReason } from '../domain/status.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { PolicyStore, PolicyVersionInfo } from '../ports/policy-store.port.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
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

function activeOf(policy: Policy, seq = 0): ActivePolicy {
  const texts = new Map<string, RuleText>(
    policy.rules.map((r) => [r.id, { label: r.label, release: r.release }]),
  );
  texts.set('correction', policy.correction);
  return { policy, compiled: compilePolicy(policy, seq), texts };
}

export class PolicyService {
  private current: ActivePolicy | undefined;

  constructor(
    private readonly store: PolicyStore,
    private readonly uow: UnitOfWork,
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
    let active = await this.store.active();
    if (active === undefined) {
      await this.store.installIfNone(DEFAULT_POLICY.version, DEFAULT_POLICY, this.clock.now());
      active = (await this.store.active()) ?? { document: DEFAULT_POLICY, seq: 0 };
    }
    const v = validatePolicy(active.document);
    if (!v.ok)
      throw new Error(
        `active policy in the database is invalid: ${v.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
    this.current = activeOf(v.policy, active.seq);
    return this.current;
  }

  /** Validates a draft; throws POLICY_INVALID with every problem listed. */
  validate(document: unknown): Policy {
    const v = validatePolicy(document);
    if (!v.ok) throw new AppError('POLICY_INVALID', 422, 'policy document is invalid', v.errors);
    return v.policy;
  }

  /** Stores and activates a new version with its audit entry, atomically; the caller then runs a full recompute. */
  async publish(document: unknown, actor: string): Promise<Policy> {
    const policy = this.validate(document);
    await this.uow.run(async (s) => {
      if (!(await s.policies.publish(policy.version, policy, actor, this.clock.now())))
        throw new AppError('POLICY_VERSION_EXISTS', 409, `policy version ${policy.version} already exists`);
      await this.audit.appendTo(s.audit, {
        actor,
        action: 'policy.publish',
        detail: { version: policy.version },
      });
    });
    // the stored row's publication number: statuses computed under it carry it
    await this.reload();
    return policy;
  }

  /** Every stored version, newest first. */
  async versions(): Promise<PolicyVersionInfo[]> {
    return this.store.versions();
  }

  /** Compiles a draft without storing it (preview of a change). */
  compileDraft(document: unknown): ActivePolicy {
    return activeOf(this.validate(document));
  }
}
