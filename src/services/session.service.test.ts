/**
 * Residents' sessions on two api processes (docs/SECURITY.md "Sessions"): a live session is read
 * from the store once per process, not on every code display; a logout is refused at once on the
 * process that took it and, on another, once its list of ended sessions is read again
 * (RESIDENT_SESSION_CACHE_MS). On both adapters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository } from '../adapters/repositories/auth/session.repository.ts';
import type { Principal } from '../domain/principal.ts';
import { ManualClock } from '../ports/clock.port.ts';
import type { SessionStore } from '../ports/session-store.port.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import { RESIDENT_SESSION_CACHE_MS, SessionService } from './session.service.ts';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
type Resident = Extract<Principal, { kind: 'resident' }>;

describe('resident sessions across api processes', () => {
  let ctx: TestContext;
  let clock: ManualClock;
  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
    clock = ctx.clock as ManualClock;
  });
  afterAll(async () => ctx?.destroy());

  /** An api process's session service over the shared table, counting the session reads. */
  function apiProcess() {
    const repo = new SessionRepository(ctx.db);
    const reads = { get: 0 };
    const store: SessionStore = {
      create: (s) => repo.create(s),
      get: (id) => {
        reads.get++;
        return repo.get(id);
      },
      revoke: (id, at) => repo.revoke(id, at),
      revokeStaff: (id, at) => repo.revokeStaff(id, at),
      revokedResidentSessions: (since, now) => repo.revokedResidentSessions(since, now),
      purge: (before) => repo.purge(before),
    };
    return { sessions: new SessionService(store, ctx.audit, clock, ctx.uow), reads };
  }

  it('reads a live session once per process, and a logout elsewhere is refused after the next read of ended sessions', async () => {
    const a = apiProcess();
    const b = apiProcess();
    const p = await createResident(ctx);
    const other = await createResident(ctx);
    const sid = await a.sessions.start({ personId: p.id }, 7 * 86400);
    const principal: Resident = { kind: 'resident', personId: p.id, sessionId: sid };

    for (let i = 0; i < 20; i++) {
      expect(await a.sessions.resolve(principal)).toEqual(principal);
      expect(await b.sessions.resolve(principal)).toEqual(principal);
      clock.advance(60_000); // a code display a minute, for 20 minutes
    }
    expect(a.reads.get).toBe(1);
    expect(b.reads.get).toBe(1);
    // someone else's person id with this session id: refused from the remembered session too
    expect(await b.sessions.resolve({ ...principal, personId: other.id })).toBeUndefined();

    await a.sessions.end(principal, 'resident');
    expect(await a.sessions.resolve(principal)).toBeUndefined(); // at once where it was taken
    clock.advance(RESIDENT_SESSION_CACHE_MS);
    expect(await b.sessions.resolve(principal)).toBeUndefined(); // on the other within the interval
    // a third process that never saw it reads the session and refuses it as well
    expect(await apiProcess().sessions.resolve(principal)).toBeUndefined();
  });

  it('a session revoked in the table (not through this process) is refused once the list is read again, however long it was remembered', async () => {
    const a = apiProcess();
    const p = await createResident(ctx);
    const sid = await a.sessions.start({ personId: p.id }, 7 * 86400);
    const principal: Resident = { kind: 'resident', personId: p.id, sessionId: sid };
    expect(await a.sessions.resolve(principal)).toEqual(principal);
    clock.advance(3 * 86400_000); // remembered for days
    expect(await a.sessions.resolve(principal)).toEqual(principal);
    await new SessionRepository(ctx.db).revoke(sid, new Date(clock.now()));
    clock.advance(RESIDENT_SESSION_CACHE_MS);
    expect(await a.sessions.resolve(principal)).toBeUndefined();
  });

  it('an expired session is refused even when remembered', async () => {
    const a = apiProcess();
    const p = await createResident(ctx);
    const sid = await a.sessions.start({ personId: p.id }, 3600);
    const principal: Resident = { kind: 'resident', personId: p.id, sessionId: sid };
    expect(await a.sessions.resolve(principal)).toEqual(principal);
    clock.advance(3600_000);
    expect(await a.sessions.resolve(principal)).toBeUndefined();
  });
});
