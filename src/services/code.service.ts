/**
 * Code issuance (docs/DESIGN.md §4): the resident's current hot status signed into a short-lived
 * JKM1 token, with what the screen shows beside the QR. This is the platform's hottest path: one
 * cache read and one signature, no database round trip when the cache is warm.
 *
 * Long-lived codes (paper, offline, vehicle) carry a random cti and are recorded, so each can be
 * revoked on its own; issuing one revokes the holder's earlier live code of that kind (a reprint),
 * in one unit of work with its audit entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { COLOUR5_LABELS, colour5Name, toColour3, type Colour3, type Colour5 } from '../domain/colour.ts';
import type { HotStatus } from '../domain/hot-status.ts';
import type { CodeKind, HcClaims } from '../domain/token/claims.ts';
import { codeIdOf, CTI_RANDOM_BYTES, isRevocableKind } from '../domain/token/code-kinds.ts';
import { issueTokenAsync } from '../domain/token/jkm1.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { PersonStore } from '../ports/person-store.port.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';
import type { KeyService } from './key.service.ts';
import { ruleText, type ActivePolicy, type PolicyService } from './policy.service.ts';
import type { StatusService } from './status.service.ts';
import type { TrustListService } from './trust-list.service.ts';

export interface CodeDisplayReason {
  rule: string;
  label: { zh: string; en: string };
  release: { zh: string; en: string };
  since: string;
  until: string | null;
  /** key-population lists behind this reason (名单), when it comes from one */
  lists?: string[];
}

export interface CodeResponse {
  token: string;
  colour3: Colour3;
  colour5: Colour5;
  kind: CodeKind;
  issuedAt: string;
  expiresAt: string;
  refreshAfter: string;
  /** long-lived codes: the code id (base64url, 16 bytes of SHA-256(cti)) a revocation names */
  codeId?: string;
  /** long-lived codes: the holder's earlier codes of this kind this one revoked (a reprint) */
  revokedCodeIds?: string[];
  display: {
    maskedName: string;
    colour: { zh: string; en: string; name: string };
    reasons: CodeDisplayReason[];
    vaccineDoses: number;
    lastNegativeTest: string | null;
    nextReviewAt: string | null;
  };
}

/** Who issues a long-lived code: an officer only inside their region ('' = everywhere). */
export interface IssuedBy {
  actor: string;
  regionPrefix: string;
}

export interface CodeOptions {
  issuer: string;
  screenTtlSeconds: number;
  paperTtlSeconds: number;
}

export class CodeService {
  /**
   * What the screen shows beside the QR depends only on the hot status and the policy texts: kept
   * per status object (the near cache hands out the same object until Redis says it changed).
   */
  private readonly displays = new WeakMap<
    HotStatus,
    { texts: ActivePolicy['texts']; display: CodeResponse['display'] }
  >();

  constructor(
    private readonly statuses: StatusService,
    private readonly keys: KeyService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly opts: CodeOptions,
    private readonly issued: {
      uow: UnitOfWork;
      audit: AuditService;
      persons: PersonStore;
      trustList: TrustListService;
    },
  ) {}

  /**
   * Issues a code for a person: kind s (screen, 60 s), d (dependant), or a long-lived p (paper),
   * o (offline), v (vehicle), which needs `by` (recorded, audited, revokes the previous one).
   */
  async issue(personId: number, kind: CodeKind = 's', by?: IssuedBy): Promise<CodeResponse> {
    const longLived = isRevocableKind(kind);
    if (longLived) {
      if (by === undefined) throw new TypeError('a long-lived code needs who issues it');
      const region = await this.issued.persons.regionOf(personId);
      // Outside the officer's region looks the same as not found: no probing who lives where.
      if (region === undefined || !region.startsWith(by.regionPrefix))
        throw new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region');
    }
    const now = this.clock.now();
    const hot = await this.holderStatus(personId);
    if (!hot) throw new AppError('PERSON_NOT_FOUND', 404, 'no such resident');
    const iat = Math.floor(now / 1000);
    const ttl = kind === 's' || kind === 'd' ? this.opts.screenTtlSeconds : this.opts.paperTtlSeconds;
    const exp = iat + ttl;
    const hc: HcClaims['hc'] = { c: toColour3(hot.colour5), c5: hot.colour5, k: kind };
    if (hot.vaccineDoses > 0) hc.v = hot.vaccineDoses;
    if (hot.lastNegativeTestDay !== null) hc.t = hot.lastNegativeTestDay;
    const claims: HcClaims = { iss: this.opts.issuer, sub: hot.sub, iat, exp, hc };
    if (longLived) claims.cti = new Uint8Array(randomBytes(CTI_RANDOM_BYTES));
    const token = await issueTokenAsync(await this.keys.currentSigner(), claims);
    const out: CodeResponse = {
      token,
      colour3: hc.c,
      colour5: hot.colour5,
      kind,
      issuedAt: new Date(iat * 1000).toISOString(),
      expiresAt: new Date(exp * 1000).toISOString(),
      refreshAfter: new Date((exp - Math.min(15, Math.floor(ttl / 4))) * 1000).toISOString(),
      display: await this.display(hot),
    };
    if (longLived && by !== undefined && claims.cti !== undefined) {
      const codeId = codeIdOf(createHash('sha256').update(claims.cti).digest());
      out.codeId = codeId;
      out.revokedCodeIds = await this.record(personId, kind, codeId, iat, exp, by.actor);
    }
    return out;
  }

  /**
   * The holder's status as a code would show it now: a status past its review time may have
   * changed on its own, so it is settled first.
   */
  async holderStatus(personId: number): Promise<HotStatus | undefined> {
    const hot = await this.statuses.hot(personId);
    if (!hot || hot.nextReviewAt === 0 || hot.nextReviewAt * 1000 > this.clock.now()) return hot;
    await this.statuses.recompute([personId]);
    return (await this.statuses.hot(personId)) ?? hot;
  }

  /** Records a long-lived code and revokes the holder's earlier live ones of its kind (a reprint). */
  private async record(
    personId: number,
    kind: CodeKind,
    codeId: string,
    iat: number,
    exp: number,
    actor: string,
  ): Promise<string[]> {
    const at = iat * 1000;
    const revoked = await this.issued.uow.run(async (s) => {
      const previous = await s.codes.revokeLiveOf(personId, kind, at, actor, 'reprint');
      await s.codes.record({ codeId, personId, kind, issuedAt: at, expiresAt: exp * 1000, issuedBy: actor });
      await this.issued.audit.appendTo(s.audit, {
        actor,
        action: 'code.issue',
        personId,
        detail: { kind, codeId, revoked: previous },
      });
      return previous;
    });
    if (revoked.length) this.issued.trustList.invalidate();
    return revoked;
  }

  private async display(hot: HotStatus): Promise<CodeResponse['display']> {
    const { texts } = await this.policies.active();
    const known = this.displays.get(hot);
    if (known !== undefined && known.texts === texts) return known.display;
    const display = this.buildDisplay(hot, texts);
    this.displays.set(hot, { texts, display });
    return display;
  }

  private buildDisplay(hot: HotStatus, texts: ActivePolicy['texts']): CodeResponse['display'] {
    const name = colour5Name(hot.colour5);
    return {
      maskedName: hot.maskedName,
      colour: { ...COLOUR5_LABELS[name], name },
      reasons: hot.reasons.map(([rule, since, until, lists]) => {
        const t = ruleText(texts, rule);
        const reason: CodeDisplayReason = {
          rule,
          label: t.label,
          release: t.release,
          since: new Date(since * 1000).toISOString(),
          until: until ? new Date(until * 1000).toISOString() : null,
        };
        if (lists?.length) reason.lists = lists;
        return reason;
      }),
      vaccineDoses: hot.vaccineDoses,
      lastNegativeTest:
        hot.lastNegativeTestDay === null
          ? null
          : new Date(hot.lastNegativeTestDay * 86400_000).toISOString().slice(0, 10),
      nextReviewAt: hot.nextReviewAt ? new Date(hot.nextReviewAt * 1000).toISOString() : null,
    };
  }
}
