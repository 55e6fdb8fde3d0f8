/**
 * Checkpoint signatures with the platform's code-signing keys (docs/SECURITY.md §Audit log): signed
 * by the current key, checked against every key the platform ever had (signing_keys keeps retired
 * ones), so a checkpoint outlives a rotation.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { CheckpointSigning } from '../../ports/audit-log-store.port.ts';
import type { TokenSigner } from '../../domain/token/jkm1.ts';
import type { Queryable } from '../db/database.ts';

export function createCheckpointSigning(
  db: Queryable,
  currentSigner: () => Promise<TokenSigner>,
): CheckpointSigning {
  return {
    async sign(data) {
      const s = await currentSigner();
      const signature = s.signAsync ? await s.signAsync(data) : s.sign(data);
      return { kid: new Uint8Array(s.kid), alg: s.alg, signature };
    },
    async verify(kid, alg, data, signature) {
      const key = (
        await db.query<{ alg: number; public_spki: Uint8Array; revoked: boolean }>(
          'SELECT alg, public_spki, revoked FROM signing_keys WHERE kid = $1',
          [Buffer.from(kid)],
        )
      ).rows[0];
      if (!key || key.alg !== alg) return 'invalid';
      if (key.revoked) return 'revoked';
      const pub = createPublicKey({ key: Buffer.from(key.public_spki), format: 'der', type: 'spki' });
      try {
        const ok =
          alg === -7
            ? verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, signature)
            : verify(null, data, pub, signature);
        return ok ? 'valid' : 'invalid';
      } catch {
        return 'invalid';
      }
    },
  };
}
