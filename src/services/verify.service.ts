/**
 * Server-side verification for scanner devices (POST /v1/verify): the same offline verifier a
 * browser uses, over this issuer's trust list, plus the masked name a gate may show.
 */
import type { PersonRepository } from '../adapters/repositories/person.repository.ts';
import type { Colour3, Colour5 } from '../domain/colour.ts';
import type { Clock } from '../ports/clock.port.ts';
import { createVerifier, type Verifier } from '../verifier/index.ts';
import type { TrustList } from '../verifier/trust-list.ts';
import type { KeyService } from './key.service.ts';

export interface VerifyResponse {
  valid: boolean;
  reason?: string;
  colour3?: Colour3;
  colour5?: Colour5;
  kind?: string;
  issuer?: string;
  maskedName?: string;
  expiresAt?: string;
}

export class VerifyService {
  private verifier: Verifier | undefined;
  private builtFrom: TrustList | undefined;

  constructor(
    private readonly keys: KeyService,
    private readonly persons: PersonRepository,
    private readonly clock: Clock,
    /** trust lists of other issuers (mutual recognition), added by the exchange later */
    private readonly foreignTrustLists: () => TrustList[] = () => [],
  ) {}

  /** Verifies a token; the masked name is added for codes of this issuer. */
  async verify(token: string): Promise<VerifyResponse & { subject?: string }> {
    const verifier = await this.current();
    const r = await verifier.verify(token, Math.floor(this.clock.now() / 1000));
    if (!r.valid) return { valid: false, reason: r.reason };
    const out: VerifyResponse & { subject?: string } = {
      valid: true,
      colour3: r.colour3,
      colour5: r.colour5,
      kind: r.kind,
      issuer: r.issuer,
      expiresAt: new Date(r.claims.exp * 1000).toISOString(),
    };
    const own = await this.keys.trustList();
    if (r.issuer === own.issuer) {
      const p = await this.persons.bySubject(r.claims.sub);
      if (p) {
        out.maskedName = p.name_masked;
        out.subject = r.claims.sub;
      }
    }
    return out;
  }

  private async current(): Promise<Verifier> {
    const own = await this.keys.trustList();
    if (!this.verifier || this.builtFrom !== own) {
      this.verifier = createVerifier([own, ...this.foreignTrustLists()]);
      this.builtFrom = own;
    }
    return this.verifier;
  }
}
