/**
 * Revoking single long-lived codes (docs/DESIGN.md §4): by the code's text, by its code id, or
 * every live code of a holder. Officers only inside their region; every revocation is written with
 * its audit entry in one unit of work. The trust list names revoked codes until they expire, so
 * offline verifiers reject them after their next refresh; POST /v1/verify at once.
 */
import { parseJkm1 } from '../domain/token/jkm1.ts';
import { CODE_ID_BYTES, codeIdOf } from '../domain/token/code-kinds.ts';
import { createHash } from 'node:crypto';
import type { Clock } from '../ports/clock.port.ts';
import type { IssuedCode, IssuedCodeStore, RevocationReason } from '../ports/issued-code-store.port.ts';
import type { PersonStore } from '../ports/person-store.port.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';
import type { IssuedBy } from './code.service.ts';
import type { TrustListService } from './trust-list.service.ts';

/** Which code(s) to revoke. */
export type RevocationTarget = { token: string } | { codeId: string } | { personId: number };

export class CodeRevocationService {
  constructor(
    private readonly codes: IssuedCodeStore,
    private readonly persons: PersonStore,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly trustList: TrustListService,
    private readonly clock: Clock,
  ) {}

  /** Revokes the target's live codes; returns the code ids revoked (none: already revoked). */
  async revoke(target: RevocationTarget, by: IssuedBy, reason: RevocationReason): Promise<string[]> {
    const now = this.clock.now();
    // Read before the unit of work: on the embedded database its transaction is the one session.
    const code = 'personId' in target ? undefined : await this.code(target);
    const personId = code === undefined ? (target as { personId: number }).personId : code.personId;
    const region = await this.persons.regionOf(personId);
    // Outside the officer's region looks the same as not found.
    if (region === undefined || !region.startsWith(by.regionPrefix)) {
      throw code === undefined
        ? new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region')
        : new AppError('CODE_NOT_FOUND', 404, 'no such code in your region');
    }
    const revoked = await this.uow.run(async (s) => {
      const ids =
        code === undefined
          ? await s.codes.revokeLiveOf(personId, undefined, now, by.actor, reason)
          : (await s.codes.revoke(code.codeId, now, by.actor, reason))
            ? [code.codeId]
            : [];
      if (ids.length)
        await this.audit.appendTo(s.audit, {
          actor: by.actor,
          action: 'code.revoke',
          personId,
          detail: { codeIds: ids, reason },
        });
      return ids;
    });
    if (revoked.length) this.trustList.invalidate();
    return revoked;
  }

  /** A holder's long-lived codes that have not expired (officer view: kinds, times, state). */
  async liveOf(personId: number, by: IssuedBy): Promise<IssuedCode[]> {
    const region = await this.persons.regionOf(personId);
    if (region === undefined || !region.startsWith(by.regionPrefix))
      throw new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region');
    return this.codes.liveOf(personId, this.clock.now());
  }

  private async code(target: { token: string } | { codeId: string }): Promise<IssuedCode> {
    const codeId = 'token' in target ? codeIdOfToken(target.token) : target.codeId;
    const code = codeId === undefined ? undefined : await this.codes.get(codeId);
    if (!code) throw new AppError('CODE_NOT_FOUND', 404, 'no such long-lived code of this issuer');
    return code;
  }
}

/** The code id of a code's text, or undefined when it is no code or carries no cti. */
export function codeIdOfToken(token: string): string | undefined {
  const parsed = parseJkm1(token.trim());
  if (!parsed.ok || parsed.claims.cti === undefined) return undefined;
  return codeIdOf(createHash('sha256').update(parsed.claims.cti).digest());
}

/** Whether a text is a well-formed code id (base64url of 16 bytes). */
export function isCodeId(s: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(s) && Buffer.from(s, 'base64url').length === CODE_ID_BYTES;
}
