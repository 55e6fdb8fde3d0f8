/**
 * Code-signing keys (docs/DESIGN.md §4): generated on first start, stored encrypted under the
 * master key, rotated by `hc keys rotate`, revoked by `hc keys revoke`. A retired key stays in the
 * trust list until the last token it signed has expired; every process reloads keys every 30 s, so
 * a rotation spreads. Storage (KeyStore), cryptography (Signer) and sealing (Secrets) are ports.
 */
import { base64urlDecode, base64urlEncode } from '../domain/token/base64url.ts';
import type { CoseAlg } from '../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../domain/token/jkm1.ts';
import type { TrustList } from '../verifier/trust-list.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { KeyStore, StoredSigningKey } from '../ports/key-store.port.ts';
import type { Secrets } from '../ports/secrets.port.ts';
import type { Signer, SigningKeyPair } from '../ports/signer.port.ts';
import type { Stores, UnitOfWork } from '../ports/unit-of-work.port.ts';
import type { AuditService } from './audit.service.ts';

const KEY_VALIDITY_MS = 2 * 365 * 86400_000;
/** other api nodes may sign with a retired key until they reload */
const ROTATION_GRACE_MS = 120_000;
const RELOAD_MS = 30_000;

export class KeyService {
  private signer: TokenSigner | undefined;
  private rows: StoredSigningKey[] = [];
  private loadedAt = 0;
  private trust: TrustList | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly crypto: Signer,
    private readonly secrets: Secrets,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly issuer: string,
    /** longest token lifetime (paper codes): how long a retired key stays listed */
    private readonly maxTokenTtlSeconds: number,
    /** a rotation or revocation and its audit entry commit together or not at all */
    private readonly uow: UnitOfWork,
  ) {}

  /** Makes sure a signing key exists (first start). */
  async ensureKey(alg: CoseAlg = -7): Promise<void> {
    await this.load(true);
    if (!this.activeRow()) await this.store.insert(this.sealed(this.crypto.generate(alg)));
    await this.load(true);
  }

  /** The signer for new tokens (hot path: cached, reloaded every 30 s in the background). */
  async currentSigner(): Promise<TokenSigner> {
    if (!this.signer || this.clock.now() - this.loadedAt > RELOAD_MS) await this.load(false);
    if (!this.signer)
      throw new Error('no signing key: run migrations and start the api once, or `hc keys rotate`');
    return this.signer;
  }

  /** Retires the current key and starts a new one; returns the new kid. */
  async rotate(actor: string, alg: CoseAlg = -7): Promise<string> {
    const kid = await this.uow.run((s) => this.rotateIn(s, actor, alg));
    await this.load(true);
    return kid;
  }

  /** Retires the current key, adds a new one and audits it, inside the unit of work `s`. */
  private async rotateIn(s: Stores, actor: string, alg: CoseAlg): Promise<string> {
    const now = this.clock.now();
    const key = this.crypto.generate(alg);
    await s.keys.rotate(now, now + ROTATION_GRACE_MS, this.sealed(key));
    const kid = base64urlEncode(key.kid);
    await this.audit.appendTo(s.audit, { actor, action: 'keys.rotate', detail: { kid } });
    return kid;
  }

  /**
   * Revokes a key at once: scanners reject everything it signed. When it was the key signing now,
   * a new one takes over (so codes keep being issued). False when there is no such key.
   */
  async revoke(kid: string, actor: string): Promise<boolean> {
    await this.load(true);
    const wasActive = this.activeRow();
    const kidBytes = base64urlDecode(kid);
    if (kidBytes === undefined) return false;
    // The revocation, its audit entry and the successor key (when it was the signing one) commit together.
    const revoked = await this.uow.run(async (s) => {
      if (!(await s.keys.revoke(kidBytes))) return false;
      await this.audit.appendTo(s.audit, { actor, action: 'keys.revoke', detail: { kid } });
      if (wasActive !== undefined && base64urlEncode(wasActive.kid) === kid)
        await this.rotateIn(s, actor, wasActive.alg);
      return true;
    });
    await this.load(true);
    return revoked;
  }

  /** The keys part of the trust list of docs/DESIGN.md §4 (TrustListService adds the rest). */
  async trustList(): Promise<TrustList> {
    if (!this.trust || this.clock.now() - this.loadedAt > RELOAD_MS) await this.load(false);
    return this.trust as TrustList;
  }

  private activeRow(): StoredSigningKey | undefined {
    const now = this.clock.now();
    return this.rows.find((r) => r.retiredAt === null && !r.revoked && r.notBefore <= now);
  }

  private sealed(key: SigningKeyPair): StoredSigningKey {
    const now = this.clock.now();
    return {
      kid: key.kid,
      alg: key.alg,
      publicKeySpki: key.publicKeySpki,
      privateKeySealed: this.secrets.encrypt(key.privateKeyPkcs8, 'keywrap'),
      notBefore: now,
      notAfter: now + KEY_VALIDITY_MS,
      retiredAt: null,
      revoked: false,
    };
  }

  private async load(force: boolean): Promise<void> {
    if (!force && this.signer && this.clock.now() - this.loadedAt <= RELOAD_MS) return;
    this.rows = await this.store.all();
    this.loadedAt = this.clock.now();
    const active = this.activeRow();
    if (active && (!this.signer || base64urlEncode(this.signer.kid) !== base64urlEncode(active.kid))) {
      this.signer = this.crypto.signerFor({
        alg: active.alg,
        kid: active.kid,
        publicKeySpki: active.publicKeySpki,
        privateKeyPkcs8: new Uint8Array(this.secrets.decrypt(active.privateKeySealed, 'keywrap')),
      });
    } else if (!active) this.signer = undefined;
    this.trust = this.buildTrustList();
  }

  private buildTrustList(): TrustList {
    const now = this.clock.now();
    const listed = this.rows.filter((r) => !r.revoked && r.notAfter + this.maxTokenTtlSeconds * 1000 > now);
    return {
      issuer: this.issuer,
      keys: listed.map((r) => ({
        kid: base64urlEncode(r.kid),
        alg: r.alg,
        jwk: this.crypto.publicJwk(r.publicKeySpki),
        notBefore: new Date(r.notBefore).toISOString(),
        notAfter: new Date(r.notAfter).toISOString(),
      })),
      revokedKids: this.rows.filter((r) => r.revoked).map((r) => base64urlEncode(r.kid)),
      issuedAt: new Date(now).toISOString(),
    };
  }
}
