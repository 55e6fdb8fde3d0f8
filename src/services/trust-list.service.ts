/**
 * The trust list this issuer publishes (docs/DESIGN.md §4, GET /v1/trust-list): the signing keys,
 * the single codes revoked and not yet expired (revokedCodes), and the policy's maximum colour age
 * for codes other than screen codes. Offline verifiers refresh it; a revocation reaches them on
 * their next refresh. Cached for 30 s like the keys; a revocation here drops the cache at once.
 */
import { maxColourAgeHours } from '../domain/policy/policy.schema.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IssuedCodeStore } from '../ports/issued-code-store.port.ts';
import type { TrustList } from '../verifier/trust-list.ts';
import type { KeyService } from './key.service.ts';
import type { PolicyService } from './policy.service.ts';

const RELOAD_MS = 30_000;

export class TrustListService {
  private cached: TrustList | undefined;
  private keysFrom: TrustList | undefined;
  private loadedAt = 0;

  constructor(
    private readonly keys: KeyService,
    private readonly codes: IssuedCodeStore,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** The current trust list (the same object until keys, revocations or the policy change). */
  async current(): Promise<TrustList> {
    const keys = await this.keys.trustList();
    const now = this.clock.now();
    if (this.cached && this.keysFrom === keys && now - this.loadedAt <= RELOAD_MS) return this.cached;
    const [revokedCodes, { policy }] = await Promise.all([
      this.codes.revokedUnexpired(now),
      this.policies.active(),
    ]);
    this.cached = {
      issuer: keys.issuer,
      keys: keys.keys,
      revokedKids: keys.revokedKids,
      revokedCodes,
      maxColourAgeSeconds: Math.round(maxColourAgeHours(policy) * 3600),
      issuedAt: new Date(now).toISOString(),
    };
    this.keysFrom = keys;
    this.loadedAt = now;
    return this.cached;
  }

  /** Forgets the cached list (after a revocation in this process). */
  invalidate(): void {
    this.cached = undefined;
  }
}
