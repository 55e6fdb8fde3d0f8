/**
 * Long-lived codes as issued (paper, offline, vehicle), so a single code can be revoked and the
 * trust list can name it (docs/DESIGN.md §4). A code is known by its code id: base64url of the
 * first 16 bytes of SHA-256 of its cti. Implemented by adapters/repositories/issued-code.repository.ts.
 */
import type { CodeKind } from '../domain/token/claims.ts';

/** Why a code was revoked (stored; shown to staff, never in the trust list). */
export type RevocationReason = 'reprint' | 'lost' | 'misissued' | 'key-compromise' | 'other';
export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'reprint',
  'lost',
  'misissued',
  'key-compromise',
  'other',
];

export interface IssuedCode {
  codeId: string;
  personId: number;
  kind: CodeKind;
  /** epoch ms */
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: RevocationReason | null;
}

export interface IssuedCodeStore {
  /** Records a code just signed. */
  record(code: {
    codeId: string;
    personId: number;
    kind: CodeKind;
    issuedAt: number;
    expiresAt: number;
    issuedBy: string;
  }): Promise<void>;
  /**
   * Revokes the live codes of a person (of one kind, or every kind) that have not expired at
   * `at`, except `keep`; returns the code ids revoked.
   */
  revokeLiveOf(
    personId: number,
    kind: CodeKind | undefined,
    at: number,
    by: string,
    reason: RevocationReason,
    keep?: string,
  ): Promise<string[]>;
  /** Revokes one code; false when there is no such code or it was already revoked. */
  revoke(codeId: string, at: number, by: string, reason: RevocationReason): Promise<boolean>;
  /** One code, or undefined. */
  get(codeId: string): Promise<IssuedCode | undefined>;
  /** A person's codes that have not expired at `at`, newest first. */
  liveOf(personId: number, at: number): Promise<IssuedCode[]>;
  /** Code ids of revoked codes that have not expired at `at` (the trust list's revokedCodes). */
  revokedUnexpired(at: number): Promise<string[]>;
}
