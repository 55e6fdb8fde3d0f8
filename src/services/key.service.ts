/**
 * Code-signing keys (docs/DESIGN.md §4): generated on first start, stored encrypted under the
 * master key, rotated by `hc keys rotate`. A retired key stays in the trust list until the last
 * token it signed has expired; every process reloads keys every 30 s, so a rotation spreads.
 */
import type { Secrets } from '../adapters/crypto/secrets.ts';
import type { SigningThread } from '../adapters/crypto/signing-thread.ts';
import {
  createSigner,
  generateSigningKey,
  trustListEntry,
  type SigningKey,
} from '../adapters/crypto/signing-key.ts';
import type { Database } from '../adapters/db/database.ts';
import { base64urlEncode } from '../domain/token/base64url.ts';
import type { CoseAlg } from '../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../domain/token/jkm1.ts';
import type { TrustList } from '../verifier/trust-list.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { AuditService } from './audit.service.ts';

interface KeyRow {
  kid: Uint8Array;
  alg: number;
  public_spki: Uint8Array;
  private_enc: Uint8Array;
  not_before: Date;
  not_after: Date;
  retired_at: Date | null;
  revoked: boolean;
}

const KEY_VALIDITY_MS = 2 * 365 * 86400_000;
/** other api nodes may sign with a retired key until they reload */
const ROTATION_GRACE_MS = 120_000;
const RELOAD_MS = 30_000;

export class KeyService {
  private signer: TokenSigner | undefined;
  private rows: KeyRow[] = [];
  private loadedAt = 0;
  private trust: TrustList | undefined;

  constructor(
    private readonly db: Database,
    private readonly secrets: Secrets,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly issuer: string,
    /** longest token lifetime (paper codes): how long a retired key stays listed */
    private readonly maxTokenTtlSeconds: number,
    /** where code signatures are made off the event loop (api processes); none: on the libuv pool */
    private readonly signingThread?: SigningThread,
  ) {}

  /** Makes sure a signing key exists (first start). */
  async ensureKey(alg: CoseAlg = -7): Promise<void> {
    await this.load(true);
    if (!this.activeRow()) await this.insertKey(generateSigningKey(alg));
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
    const now = this.clock.now();
    const key = generateSigningKey(alg);
    await this.db.transaction(async (tx) => {
      await tx.query(
        'UPDATE signing_keys SET retired_at = $1, not_after = $2 WHERE retired_at IS NULL AND NOT revoked',
        [new Date(now), new Date(now + ROTATION_GRACE_MS)],
      );
      await this.insertKey(key, tx);
    });
    const kid = base64urlEncode(key.kid);
    await this.audit.append({ actor, action: 'keys.rotate', detail: { kid } });
    await this.load(true);
    return kid;
  }

  /**
   * Revokes a key at once: scanners reject everything it signed. When it was the key signing now,
   * a new one takes over (so codes keep being issued). False when there is no such key.
   */
  async revoke(kid: string, actor: string): Promise<boolean> {
    await this.load(true);
    const wasActive = this.activeRow();
    const r = await this.db.query('UPDATE signing_keys SET revoked = true WHERE kid = $1 AND NOT revoked', [
      Buffer.from(kid, 'base64url'),
    ]);
    if ((r.rowCount ?? 0) === 0) return false;
    await this.audit.append({ actor, action: 'keys.revoke', detail: { kid } });
    if (wasActive !== undefined && base64urlEncode(new Uint8Array(wasActive.kid)) === kid)
      await this.rotate(actor, wasActive.alg as CoseAlg);
    await this.load(true);
    return true;
  }

  /** The trust list of docs/DESIGN.md §4. */
  async trustList(): Promise<TrustList> {
    if (!this.trust || this.clock.now() - this.loadedAt > RELOAD_MS) await this.load(false);
    return this.trust as TrustList;
  }

  private activeRow(): KeyRow | undefined {
    const now = this.clock.now();
    return this.rows.find((r) => !r.retired_at && !r.revoked && r.not_before.getTime() <= now);
  }

  private async insertKey(key: SigningKey, q: Pick<Database, 'query'> = this.db): Promise<void> {
    const now = this.clock.now();
    await q.query(
      'INSERT INTO signing_keys (kid, alg, public_spki, private_enc, not_before, not_after) VALUES ($1,$2,$3,$4,$5,$6)',
      [
        key.kid,
        key.alg,
        key.publicKeySpki,
        this.secrets.encrypt(key.privateKeyPkcs8, 'keywrap'),
        new Date(now),
        new Date(now + KEY_VALIDITY_MS),
      ],
    );
  }

  private async load(force: boolean): Promise<void> {
    if (!force && this.signer && this.clock.now() - this.loadedAt <= RELOAD_MS) return;
    this.rows = (await this.db.query<KeyRow>('SELECT * FROM signing_keys ORDER BY not_before DESC')).rows;
    this.loadedAt = this.clock.now();
    const active = this.activeRow();
    if (active && (!this.signer || base64urlEncode(this.signer.kid) !== base64urlEncode(active.kid))) {
      const key = this.toKey(active);
      const signer = createSigner(key);
      this.signer = this.signingThread ? this.signingThread.wrap(key, signer) : signer;
    } else if (!active) this.signer = undefined;
    this.trust = this.buildTrustList();
  }

  private toKey(r: KeyRow): SigningKey {
    return {
      alg: r.alg as CoseAlg,
      kid: new Uint8Array(r.kid),
      publicKeySpki: new Uint8Array(r.public_spki),
      privateKeyPkcs8: new Uint8Array(this.secrets.decrypt(r.private_enc, 'keywrap')),
    };
  }

  private buildTrustList(): TrustList {
    const now = this.clock.now();
    const listed = this.rows.filter(
      (r) => !r.revoked && r.not_after.getTime() + this.maxTokenTtlSeconds * 1000 > now,
    );
    return {
      issuer: this.issuer,
      keys: listed.map((r) =>
        trustListEntry(
          {
            alg: r.alg as CoseAlg,
            kid: r.kid,
            publicKeySpki: r.public_spki,
            privateKeyPkcs8: new Uint8Array(),
          },
          r.not_before,
          r.not_after,
        ),
      ),
      revokedKids: this.rows.filter((r) => r.revoked).map((r) => base64urlEncode(new Uint8Array(r.kid))),
      issuedAt: new Date(now).toISOString(),
    };
  }
}
