/** Code-signing keys at rest (signing_keys): the KeyStore port over the database. */
import type { CoseAlg } from '../../domain/token/cose-sign1.ts';
import type { KeyStore, StoredSigningKey } from '../../ports/key-store.port.ts';
import { atomically, type Scope } from '../db/atomic.ts';
import type { Queryable } from '../db/database.ts';

interface Row {
  kid: Uint8Array;
  alg: number;
  public_spki: Uint8Array;
  private_enc: Uint8Array;
  not_before: Date;
  not_after: Date;
  retired_at: Date | null;
  revoked: boolean;
}

export class SigningKeyRepository implements KeyStore {
  constructor(private readonly db: Scope) {}

  async all(): Promise<StoredSigningKey[]> {
    const r = await this.db.query<Row>('SELECT * FROM signing_keys ORDER BY not_before DESC');
    return r.rows.map((row) => ({
      kid: new Uint8Array(row.kid),
      alg: row.alg as CoseAlg,
      publicKeySpki: new Uint8Array(row.public_spki),
      privateKeySealed: new Uint8Array(row.private_enc),
      notBefore: row.not_before.getTime(),
      notAfter: row.not_after.getTime(),
      retiredAt: row.retired_at?.getTime() ?? null,
      revoked: row.revoked,
    }));
  }

  async insert(key: StoredSigningKey): Promise<void> {
    await insertKey(this.db, key);
  }

  async rotate(at: number, retiredUntil: number, next: StoredSigningKey): Promise<void> {
    await atomically(this.db, async (tx) => {
      await tx.query(
        'UPDATE signing_keys SET retired_at = $1, not_after = $2 WHERE retired_at IS NULL AND NOT revoked',
        [new Date(at), new Date(retiredUntil)],
      );
      await insertKey(tx, next);
    });
  }

  async revoke(kid: Uint8Array): Promise<boolean> {
    const r = await this.db.query('UPDATE signing_keys SET revoked = true WHERE kid = $1 AND NOT revoked', [
      Buffer.from(kid),
    ]);
    return (r.rowCount ?? 0) > 0;
  }
}

async function insertKey(q: Pick<Queryable, 'query'>, key: StoredSigningKey): Promise<void> {
  await q.query(
    `INSERT INTO signing_keys (kid, alg, public_spki, private_enc, not_before, not_after, retired_at, revoked)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      Buffer.from(key.kid),
      key.alg,
      Buffer.from(key.publicKeySpki),
      Buffer.from(key.privateKeySealed),
      new Date(key.notBefore),
      new Date(key.notAfter),
      key.retiredAt === null ? null : new Date(key.retiredAt),
      key.revoked,
    ],
  );
}
