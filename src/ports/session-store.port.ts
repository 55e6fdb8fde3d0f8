/**
 * Sign-in sessions (docs/SECURITY.md "Sessions"): one per resident or staff sign-in, named by the
 * access token, revocable. Implemented by adapters/repositories/auth/session.repository.ts.
 */
import type { StaffRole } from '../domain/principal.ts';

export interface NewSession {
  id: string;
  personId?: number;
  staffId?: number;
  createdAt: Date;
  expiresAt: Date;
}

/** A session as a request sees it: for staff, with the account as it is now. */
export interface LiveSession {
  id: string;
  personId: number | null;
  staffId: number | null;
  expiresAt: Date;
  revokedAt: Date | null;
  staff: { role: StaffRole; regionPrefix: string; disabledAt: Date | null } | null;
}

export interface SessionStore {
  /** Records a new session. */
  create(s: NewSession): Promise<void>;
  /** The session (with its staff account's current role, region and state), or undefined. */
  get(id: string): Promise<LiveSession | undefined>;
  /** Revokes one session (once); whether it was live. */
  revoke(id: string, now: Date): Promise<boolean>;
  /** Revokes every live session of a staff account; how many. */
  revokeStaff(staffId: number, now: Date): Promise<number>;
  /**
   * Residents' sessions revoked at or after `since` that are not expired at `now`, with when they
   * expire: what each api process keeps as its list of ended resident sessions.
   */
  revokedResidentSessions(
    since: Date,
    now: Date,
  ): Promise<Array<{ id: string; revokedAt: Date; expiresAt: Date }>>;
  /** Deletes sessions that ended (expired or revoked) before `before`; how many. */
  purge(before: Date): Promise<number>;
}
