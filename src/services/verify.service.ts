/**
 * Server-side verification for scanner devices (POST /v1/verify): the same offline verifier a
 * browser uses, over this issuer's trust list, plus the masked name a gate may show.
 *
 * Nothing stale vouches for anyone (docs/DESIGN.md §4): for this issuer's codes that outlive a
 * screen code (paper, offline, dependant, vehicle) the answer is the holder's CURRENT colour, looked
 * up here, with the colour the code carries beside it; a revoked one is refused at once, without
 * waiting for the trust list to be refreshed.
 */
import { createHash } from 'node:crypto';
import { toColour3, type Colour3, type Colour5 } from '../domain/colour.ts';
import { codeIdOf, vouchesForPastColour } from '../domain/token/code-kinds.ts';
import type { HcClaims } from '../domain/token/claims.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IssuedCodeStore } from '../ports/issued-code-store.port.ts';
import type { PersonSubjects } from '../ports/person-subject.port.ts';
import type { PersonStore } from '../ports/person-store.port.ts';
import { createVerifier, type Verifier } from '../verifier/index.ts';
import type { TrustList } from '../verifier/trust-list.ts';
import type { CodeService } from './code.service.ts';
import type { TrustListService } from './trust-list.service.ts';

export interface VerifyResponse {
  /** The code is genuine, in force and not revoked. */
  valid: boolean;
  /** valid and the colour answered (colour3) is green: what a gate lets through. */
  pass: boolean;
  reason?: string;
  /** The colour to act on: the holder's current one when colourSource is "current". */
  colour3?: Colour3;
  colour5?: Colour5;
  /** "current": looked up now for this issuer's long-lived code; "code": the colour the code carries. */
  colourSource?: 'current' | 'code';
  /** The colour the code carries (computed at colourAsOf). */
  codeColour3?: Colour3;
  codeColour5?: Colour5;
  /** When the code's colour was computed (its iat), ISO 8601, and how old it is, seconds. */
  codeColourAsOf?: string;
  codeColourAgeSeconds?: number;
  /** The oldest colour a code other than a screen code may vouch for offline, seconds. */
  maxColourAgeSeconds?: number;
  kind?: string;
  issuer?: string;
  maskedName?: string;
  expiresAt?: string;
}

export class VerifyService {
  private verifier: Verifier | undefined;
  private builtFrom: TrustList | undefined;

  constructor(
    private readonly trustList: TrustListService,
    private readonly subjects: PersonSubjects,
    private readonly persons: PersonStore,
    private readonly codes: CodeService,
    private readonly issued: IssuedCodeStore,
    private readonly clock: Clock,
    /** trust lists of other issuers (mutual recognition), added by the exchange later */
    private readonly foreignTrustLists: () => TrustList[] = () => [],
  ) {}

  /** Verifies a token; the masked name (and the current colour of long-lived codes) for this issuer's codes. */
  async verify(token: string): Promise<VerifyResponse & { subject?: string }> {
    const own = await this.trustList.current();
    const verifier = this.current(own);
    const now = Math.floor(this.clock.now() / 1000);
    const r = await verifier.verify(token, now);
    // A long-lived code of ours whose colour is too old to vouch for offline is still genuine: the
    // platform answers the holder's current colour instead.
    const ownLongLived =
      (r.valid || r.reason === 'TOKEN_COLOUR_TOO_OLD') &&
      r.claims !== undefined &&
      r.claims.iss === own.issuer &&
      vouchesForPastColour(r.claims.hc.k);
    if (!r.valid && !ownLongLived) return { valid: false, pass: false, reason: r.reason };
    const claims = r.claims as HcClaims;
    const out: VerifyResponse & { subject?: string } = {
      valid: true,
      pass: false,
      colour3: claims.hc.c,
      colour5: claims.hc.c5,
      colourSource: 'code',
      codeColour3: claims.hc.c,
      codeColour5: claims.hc.c5,
      codeColourAsOf: new Date(claims.iat * 1000).toISOString(),
      codeColourAgeSeconds: Math.max(0, now - claims.iat),
      maxColourAgeSeconds: own.maxColourAgeSeconds,
      kind: claims.hc.k,
      issuer: claims.iss,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    };
    if (claims.iss === own.issuer) {
      const personId = await this.subjects.personOf(claims.sub);
      if (ownLongLived) {
        if (claims.cti !== undefined) {
          const code = await this.issued.get(codeIdOf(createHash('sha256').update(claims.cti).digest()));
          if (code !== undefined && code.revokedAt !== null)
            return { valid: false, pass: false, reason: 'TOKEN_REVOKED' };
        }
        const hot = personId === undefined ? undefined : await this.codes.holderStatus(personId);
        if (!hot) return { valid: false, pass: false, reason: 'TOKEN_HOLDER_UNKNOWN' };
        out.colour5 = hot.colour5;
        out.colour3 = toColour3(hot.colour5);
        out.colourSource = 'current';
      }
      if (personId !== undefined) {
        const shown = (await this.persons.subjectsAndNames([personId])).get(personId);
        if (shown) {
          out.maskedName = shown.maskedName;
          out.subject = claims.sub;
        }
      }
    }
    out.pass = out.colour3 === 0;
    return out;
  }

  private current(own: TrustList): Verifier {
    if (!this.verifier || this.builtFrom !== own) {
      this.verifier = createVerifier([own, ...this.foreignTrustLists()]);
      this.builtFrom = own;
    }
    return this.verifier;
  }
}
