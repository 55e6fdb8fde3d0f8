/**
 * Officer corrections (人工纠错, docs/POLICY.md): an officer overrides a resident's colour for a
 * stated reason until an expiry the policy bounds (`correction.maxDays`). The correction is a fact,
 * written with its audit entry in one transaction, then announced so the worker recomputes the
 * colour. What a correction may hide is the policy engine's rule, not this service's.
 */
import type { Colour5Name } from '../domain/colour.ts';
import { correctionMaxDays } from '../domain/policy/policy.schema.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { PersonStore } from '../ports/person-store.port.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';
import type { FactService } from './fact.service.ts';
import type { PolicyService } from './policy.service.ts';

const DAY_MS = 86_400_000;

/** Who corrects: the audit actor and the region (admin-code prefix) they may act in. */
export interface Corrector {
  actor: string;
  regionPrefix: string;
}

export interface CorrectionInput {
  colour5: Colour5Name;
  reason: string;
  /** epoch ms; must be in the future and at most correction.maxDays ahead */
  expiresAt: number;
}

export class CorrectionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly persons: PersonStore,
    private readonly policies: PolicyService,
    private readonly facts: FactService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a correction of `personId` by `by`; returns the correction fact's id. PERSON_NOT_FOUND
   * outside the corrector's region (as for an unknown person: no probing who lives where),
   * CORRECTION_EXPIRED for an expiry not in the future, CORRECTION_TOO_LONG beyond the policy's
   * maximum, CORRECTION_DUPLICATE for the same correction sent twice in one millisecond.
   */
  async correct(by: Corrector, personId: number, c: CorrectionInput): Promise<{ factId: number }> {
    const region = await this.persons.regionOf(personId);
    if (region === undefined || !region.startsWith(by.regionPrefix))
      throw new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region');
    const now = this.clock.now();
    if (!Number.isFinite(c.expiresAt) || !(c.expiresAt > now))
      throw new AppError('CORRECTION_EXPIRED', 400, 'expiresAt must be in the future');
    const maxDays = correctionMaxDays((await this.policies.active()).policy);
    if (c.expiresAt > now + maxDays * DAY_MS)
      throw new AppError(
        'CORRECTION_TOO_LONG',
        400,
        `expiresAt may be at most ${maxDays} days ahead (policy correction.maxDays)`,
      );
    const factId = await this.uow.run(async (s) => {
      const id = await s.facts.insert(
        {
          personId,
          type: 'correction',
          source: 'officer-correction',
          sourceRecordId: `${by.actor}:${personId}:${now}`,
          eventTime: now,
          validUntil: c.expiresAt,
          data: { colour5: c.colour5, reason: c.reason },
          author: by.actor,
        },
        now,
      );
      if (id === null)
        throw new AppError(
          'CORRECTION_DUPLICATE',
          409,
          'this correction was just recorded; reload and check',
        );
      await this.audit.appendTo(s.audit, {
        actor: by.actor,
        action: 'person.correct',
        personId,
        detail: {
          factId: id,
          colour5: c.colour5,
          reason: c.reason,
          expiresAt: new Date(c.expiresAt).toISOString(),
        },
      });
      return id;
    });
    await this.facts.announce([personId], now);
    return { factId };
  }
}
