/** Long-lived codes as issued and their revocations (issued_codes, migration 0420). */
import type { CodeKind } from '../../domain/token/claims.ts';
import type { IssuedCode, IssuedCodeStore, RevocationReason } from '../../ports/issued-code-store.port.ts';
import type { Scope } from '../db/atomic.ts';

interface Row {
  code_id: Uint8Array;
  person_id: string | number;
  kind: CodeKind;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: RevocationReason | null;
}

const id = (codeId: string): Buffer => Buffer.from(codeId, 'base64url');
const text = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

export class IssuedCodeRepository implements IssuedCodeStore {
  constructor(private readonly db: Scope) {}

  async record(c: {
    codeId: string;
    personId: number;
    kind: CodeKind;
    issuedAt: number;
    expiresAt: number;
    issuedBy: string;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO issued_codes (code_id, person_id, kind, issued_at, expires_at, issued_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id(c.codeId), c.personId, c.kind, new Date(c.issuedAt), new Date(c.expiresAt), c.issuedBy],
    );
  }

  async revokeLiveOf(
    personId: number,
    kind: CodeKind | undefined,
    at: number,
    by: string,
    reason: RevocationReason,
    keep?: string,
  ): Promise<string[]> {
    const r = await this.db.query<{ code_id: Uint8Array }>(
      `UPDATE issued_codes SET revoked_at = $3, revoked_by = $4, revoked_reason = $5
        WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > $3
          AND ($2::text IS NULL OR kind = $2) AND ($6::bytea IS NULL OR code_id <> $6)
        RETURNING code_id`,
      [personId, kind ?? null, new Date(at), by, reason, keep === undefined ? null : id(keep)],
    );
    return r.rows.map((row) => text(row.code_id)).sort();
  }

  async revoke(codeId: string, at: number, by: string, reason: RevocationReason): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE issued_codes SET revoked_at = $2, revoked_by = $3, revoked_reason = $4
        WHERE code_id = $1 AND revoked_at IS NULL`,
      [id(codeId), new Date(at), by, reason],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async get(codeId: string): Promise<IssuedCode | undefined> {
    const r = await this.db.query<Row>('SELECT * FROM issued_codes WHERE code_id = $1', [id(codeId)]);
    return r.rows[0] && toCode(r.rows[0]);
  }

  async liveOf(personId: number, at: number): Promise<IssuedCode[]> {
    const r = await this.db.query<Row>(
      'SELECT * FROM issued_codes WHERE person_id = $1 AND expires_at > $2 ORDER BY issued_at DESC, code_id',
      [personId, new Date(at)],
    );
    return r.rows.map(toCode);
  }

  async revokedUnexpired(at: number): Promise<string[]> {
    const r = await this.db.query<{ code_id: Uint8Array }>(
      'SELECT code_id FROM issued_codes WHERE revoked_at IS NOT NULL AND expires_at > $1 ORDER BY code_id',
      [new Date(at)],
    );
    return r.rows.map((row) => text(row.code_id));
  }
}

function toCode(r: Row): IssuedCode {
  return {
    codeId: text(r.code_id),
    personId: Number(r.person_id),
    kind: r.kind,
    issuedAt: r.issued_at.getTime(),
    expiresAt: r.expires_at.getTime(),
    revokedAt: r.revoked_at?.getTime() ?? null,
    revokedReason: r.revoked_reason,
  };
}
