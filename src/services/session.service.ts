/**
 * Sessions (docs/SECURITY.md "Sessions"): each sign-in of a resident or staff member is a session
 * the access token names. A request counts only while its session is live; for staff the
 * principal is rebuilt from the account as it is now, so a new role or region applies to the next
 * request, and disabling the account or changing its password ends its sessions. A resident's
 * session is read from the store once per process and remembered (code display is the busiest
 * route: one database read per display cost 2–9× its CPU, bench/results/code-display.md); each
 * process also keeps the list of residents' sessions ended and not yet expired, read again from the
 * newest revocations every RESIDENT_SESSION_CACHE_MS, so a logout is refused at once here and
 * within that time on other api nodes.
 */
import crypto from 'node:crypto';
import type { Principal } from '../domain/principal.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { SessionStore } from '../ports/session-store.port.ts';
import type { Stores, UnitOfWork } from '../ports/unit-of-work.port.ts';
import type { AuditService } from './audit.service.ts';
import type { StaffSessionEnder } from './staff.service.ts';

export const RESIDENT_SESSION_CACHE_MS = 5_000;
/**
 * Revocations are read again from this long before the newest one seen: each api node stamps its
 * own, so a node whose clock is behind by less than this is not missed.
 */
const REVOCATION_OVERLAP_MS = 10 * 60_000;
/** Ended sessions are kept this long (investigations), then deleted by the worker. */
const KEEP_ENDED_MS = 7 * 86400_000;
const CACHE_MAX = 100_000;

type SessionPrincipal = Extract<Principal, { kind: 'resident' | 'staff' }>;

export class SessionService implements StaffSessionEnder {
  /** residents' live sessions read from the store: session id → person and expiry */
  private readonly residents = new Map<string, { personId: number; expiresAt: number }>();
  /** residents' sessions ended and not yet expired: session id → expiry */
  private readonly ended = new Map<string, number>();
  private endedReadAt: number | undefined;
  private endedReading: Promise<void> | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** an audited end of sessions commits with its audit entry or not at all */
    private readonly uow: UnitOfWork,
  ) {}

  /** Starts a session for a resident or a staff account; its id, for the access token. */
  async start(subject: { personId: number } | { staffId: number }, ttlSeconds: number): Promise<string> {
    const id = crypto.randomBytes(16).toString('base64url');
    const now = this.clock.now();
    await this.store.create({
      id,
      ...subject,
      createdAt: new Date(now),
      expiresAt: new Date(now + ttlSeconds * 1000),
    });
    return id;
  }

  /**
   * The principal a verified token stands for now: undefined when its session is unknown, ended,
   * of someone else, or the staff account is disabled; staff get their account's current role
   * and region.
   */
  async resolve(p: SessionPrincipal): Promise<SessionPrincipal | undefined> {
    const sid = p.sessionId;
    if (sid === undefined) return undefined;
    const now = this.clock.now();
    if (p.kind === 'resident') {
      await this.readEnded(now);
      if (this.ended.has(sid)) return undefined;
      const hit = this.residents.get(sid);
      if (hit) return hit.personId === p.personId && hit.expiresAt > now ? p : undefined;
    }
    const s = await this.store.get(sid);
    if (!s || s.revokedAt !== null || s.expiresAt.getTime() <= now) return undefined;
    if (p.kind === 'resident') {
      if (s.personId !== p.personId) return undefined;
      if (this.residents.size >= CACHE_MAX) this.residents.clear();
      this.residents.set(sid, { personId: s.personId, expiresAt: s.expiresAt.getTime() });
      return p;
    }
    if (s.staffId !== p.staffId || !s.staff || s.staff.disabledAt !== null) return undefined;
    return Object.freeze({
      kind: 'staff',
      staffId: p.staffId,
      role: s.staff.role,
      regionPrefix: s.staff.regionPrefix,
      sessionId: sid,
    });
  }

  /** Ends the caller's own session (logout); staff logouts are audited. */
  async end(p: SessionPrincipal, actor: string): Promise<void> {
    if (p.sessionId === undefined) return;
    const sid = p.sessionId;
    const at = new Date(this.clock.now());
    if (p.kind === 'resident') {
      await this.store.revoke(sid, at);
      const hit = this.residents.get(sid);
      this.residents.delete(sid);
      this.ended.set(sid, hit?.expiresAt ?? Number.MAX_SAFE_INTEGER);
      return;
    }
    await this.uow.run(async (s) => {
      if (await s.sessions.revoke(sid, at))
        await this.audit.appendTo(s.audit, { actor, action: 'auth.logout', detail: { staffId: p.staffId } });
    });
  }

  /**
   * Revokes every session of one staff account (disabled, new password), audited: in the unit of
   * work `s` when given (the account change that ends them), else in one of its own.
   */
  async revokeStaffSessions(staffId: number, actor: string, s?: Stores): Promise<number> {
    if (!s) return this.uow.run((own) => this.revokeStaffSessions(staffId, actor, own));
    const n = await s.sessions.revokeStaff(staffId, new Date(this.clock.now()));
    await this.audit.appendTo(s.audit, { actor, action: 'session.revoke', detail: { staffId, sessions: n } });
    return n;
  }

  /**
   * Brings the list of ended resident sessions up to date when it is older than
   * RESIDENT_SESSION_CACHE_MS (one read at a time): the revocations since the last read (less the
   * overlap), dropping entries that expired.
   */
  private async readEnded(now: number): Promise<void> {
    if (
      this.endedReadAt !== undefined &&
      now - this.endedReadAt < RESIDENT_SESSION_CACHE_MS &&
      now >= this.endedReadAt
    )
      return;
    this.endedReading ??= (async () => {
      try {
        // Everything revoked before the last read (less the overlap) was seen then.
        const since = this.endedReadAt === undefined ? 0 : this.endedReadAt - REVOCATION_OVERLAP_MS;
        const rows = await this.store.revokedResidentSessions(new Date(since), new Date(now));
        for (const r of rows) {
          this.ended.set(r.id, r.expiresAt.getTime());
          this.residents.delete(r.id);
        }
        for (const [id, expiresAt] of this.ended) if (expiresAt <= now) this.ended.delete(id);
        this.endedReadAt = now;
      } finally {
        this.endedReading = undefined;
      }
    })();
    await this.endedReading;
  }

  /** Deletes sessions that ended more than a week ago (worker). */
  async purge(): Promise<number> {
    return this.store.purge(new Date(this.clock.now() - KEEP_ENDED_MS));
  }
}
