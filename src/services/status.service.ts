/**
 * Computes and stores statuses (docs/DESIGN.md §3): when a fact arrives, when nextReviewAt passes,
 * and for everyone after a policy change. Writes go to the status table and the hot cache together.
 */
import { hotStatusOf, type HotStatus } from '../domain/hot-status.ts';
import { evaluateCompiled } from '../domain/policy/policy-engine.ts';
import type { Fact } from '../domain/fact.ts';
import { compareIds } from '../domain/id.ts';
import type { Status, StatusReason } from '../domain/status.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { FactStore } from '../ports/fact-store.port.ts';
import type { PersonDisplay, PersonStore } from '../ports/person-store.port.ts';
import type { StatusCache } from '../ports/status-cache.port.ts';
import type { StatusStore, StoredStatus } from '../ports/status-store.port.ts';
import { labelReasons, type ActivePolicy, type PolicyService } from './policy.service.ts';

/** What a caller of `recompute` may already have in hand. */
export interface RecomputeInput {
  /** the policy to apply (default: the active one) */
  policy?: ActivePolicy;
  /** what the persons' codes show, when the caller has just read it (a feed that resolved them) */
  shown?: ReadonlyMap<number, PersonDisplay>;
  /**
   * facts of these persons the caller has just committed, with their ids (a list import): only the
   * persons' other facts are read. Read after the commit like the rest, so a fact another writer
   * committed meanwhile is seen by this recompute or by that writer's own.
   */
  written?: readonly Fact[];
}

export interface RecomputeProgress {
  done: number;
  total: number;
  changed: number;
}

export class StatusService {
  constructor(
    private readonly persons: PersonStore,
    private readonly facts: FactStore,
    private readonly statuses: StatusStore,
    private readonly cache: StatusCache,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Re-evaluates the given persons now; returns their new statuses, how many changed colour, and
   * how many were refused because a newer status (from more facts) was stored meanwhile.
   */
  async recompute(
    personIds: readonly number[],
    input: RecomputeInput = {},
  ): Promise<{ statuses: Map<number, Status>; changed: number; refused: number }> {
    let policy = input.policy ?? (await this.policies.active());
    for (let attempt = 0; ; attempt++) {
      const r = await this.recomputeUnder(policy, personIds, input);
      // Another process published a policy version this one has not reloaded yet (they follow
      // within a second): nothing was written; reload it and compute again under it.
      if (!r.stalePolicy || attempt === 3) return r;
      policy = await this.policies.reload();
    }
  }

  private async recomputeUnder(
    active: ActivePolicy,
    personIds: readonly number[],
    input: RecomputeInput,
  ): Promise<{ statuses: Map<number, Status>; changed: number; refused: number; stalePolicy: boolean }> {
    const now = this.clock.now();
    const written = input.written?.length ? input.written : undefined;
    const [factsById, display] = await Promise.all([
      this.facts.forPersons(
        personIds,
        written?.map((f) => f.id),
      ),
      this.displayOf(personIds, input.shown),
    ]);
    if (written) addWritten(factsById, written);
    const out = new Map<number, Status>();
    const hot: Array<[number, HotStatus]> = [];
    for (const id of personIds) {
      const d = display.get(id);
      if (!d) continue;
      const facts = factsById.get(id) ?? [];
      const status = evaluateCompiled(facts, active.compiled, now);
      if (status.reasons.length) nameLists(status, facts);
      out.set(id, status);
      hot.push([id, hotStatusOf(status, d.sub, d.maskedName)]);
    }
    // The database decides the order (compare-and-set on the status version, docs/DESIGN.md §3);
    // a status it refused (another worker stored a newer one) goes neither to the cache nor back.
    const { changed, refused, stalePolicy } = await this.statuses.upsertMany([...out.entries()]);
    if (refused.length) {
      const stale = new Set(refused);
      for (const id of stale) out.delete(id);
      await this.cache.setMany(hot.filter(([id]) => !stale.has(id)));
    } else await this.cache.setMany(hot);
    return { statuses: out, changed, refused: refused.length, stalePolicy };
  }

  private async displayOf(
    ids: readonly number[],
    known?: ReadonlyMap<number, PersonDisplay>,
  ): Promise<ReadonlyMap<number, PersonDisplay>> {
    if (!known) return this.persons.subjectsAndNames(ids);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length === 0) return known;
    const read = await this.persons.subjectsAndNames(missing);
    for (const [id, d] of known) read.set(id, d);
    return read;
  }

  /** Everyone, in id order, in batches; reports progress (policy change, `hc recompute`). */
  async recomputeAll(
    onProgress?: (p: RecomputeProgress) => void,
    batchSize = 2000,
  ): Promise<RecomputeProgress> {
    const policy = await this.policies.reload();
    const total = await this.persons.count();
    const p: RecomputeProgress = { done: 0, total, changed: 0 };
    let after = 0;
    for (;;) {
      const ids = await this.persons.idsAfter(after, batchSize);
      if (ids.length === 0) break;
      const r = await this.recompute(ids, { policy });
      p.done += ids.length;
      p.changed += r.changed;
      after = ids[ids.length - 1] as number;
      onProgress?.({ ...p });
    }
    return p;
  }

  /**
   * What a draft policy would do: evaluates everyone under it without writing anything and counts
   * residents per colour transition (e.g. "2→3": 120 turn from orange to red).
   */
  async preview(
    draft: ActivePolicy,
    batchSize = 2000,
  ): Promise<{ evaluated: number; transitions: Record<string, number> }> {
    const transitions: Record<string, number> = {};
    let after = 0;
    let evaluated = 0;
    const now = this.clock.now();
    for (;;) {
      const ids = await this.persons.idsAfter(after, batchSize);
      if (ids.length === 0) break;
      const [factsById, previous] = await Promise.all([
        this.facts.forPersons(ids),
        this.statuses.coloursOf(ids),
      ]);
      for (const id of ids) {
        const next = evaluateCompiled(factsById.get(id) ?? [], draft.compiled, now).colour5;
        const key = `${previous.get(id) ?? 0}→${next}`;
        transitions[key] = (transitions[key] ?? 0) + 1;
      }
      evaluated += ids.length;
      after = ids[ids.length - 1] as number;
    }
    return { evaluated, transitions };
  }

  /** Recomputes persons whose nextReviewAt has passed; returns how many. */
  async reviewDue(limit = 5000): Promise<number> {
    const ids = await this.statuses.dueForReview(this.clock.now(), limit);
    if (ids.length) await this.recompute(ids);
    return ids.length;
  }

  /** Applies facts that arrived while no worker was listening (start-up). */
  async catchUp(limit = 5000): Promise<number> {
    let n = 0;
    for (;;) {
      const ids = await this.facts.personsWithUnappliedFacts(limit);
      if (ids.length === 0) return n;
      await this.recompute(ids);
      n += ids.length;
      if (ids.length < limit) return n;
    }
  }

  /** A person's stored status with its reasons in the active policy's words (officer reads). */
  async shown(
    personId: number,
  ): Promise<(Omit<StoredStatus, 'reasons'> & { reasons: StatusReason[] }) | undefined> {
    const [status, { texts }] = await Promise.all([this.statuses.get(personId), this.policies.active()]);
    return status && { ...status, reasons: labelReasons(status.reasons, texts) };
  }

  /** Residents per colour (0–4) in a region (admin-code prefix; '' = everyone). */
  async countsByColour(regionPrefix: string): Promise<Record<number, number>> {
    return this.statuses.countsByColour(regionPrefix);
  }

  /** The hot status for code display: cache first, computed on a miss. */
  async hot(personId: number): Promise<HotStatus | undefined> {
    const cached = await this.cache.get(personId);
    if (cached) return cached;
    const d = (await this.persons.subjectsAndNames([personId])).get(personId);
    if (!d) return undefined;
    for (let attempt = 0; ; attempt++) {
      const r = await this.recompute([personId], { shown: new Map([[personId, d]]) });
      const s = r.statuses.get(personId);
      if (s) return hotStatusOf(s, d.sub, d.maskedName);
      // Refused: a worker stored a status from newer facts meanwhile and caches it after its commit.
      const cached = await this.cache.get(personId);
      if (cached || attempt === 2) return cached;
    }
  }
}

/**
 * Adds facts in hand to those read, keeping each person's in the order a read gives (event time,
 * then id), so a status does not depend on which of its facts were read.
 */
function addWritten(byPerson: Map<number, Fact[]>, written: readonly Fact[]): void {
  const merged = new Set<Fact[]>();
  for (const f of written) {
    const id = Number(f.personId);
    const list = byPerson.get(id);
    if (!list) byPerson.set(id, [f]);
    else {
      merged.add(list);
      list.push(f);
    }
  }
  for (const list of merged) list.sort(byEventTimeThenId);
}

const byEventTimeThenId = (a: Fact, b: Fact): number => a.eventTime - b.eventTime || compareIds(a.id, b.id);

/** Adds the key-population list names of each reason's facts (fact data.list), for display. */
function nameLists(status: Status, facts: readonly Fact[]): void {
  let byId: Map<string, Fact> | undefined;
  for (const r of status.reasons) {
    let lists: string[] | undefined;
    for (const id of r.factIds) {
      byId ??= new Map(facts.map((f) => [f.id, f]));
      const list = byId.get(id)?.data.list;
      if (typeof list === 'string' && list && !lists?.includes(list)) (lists ??= []).push(list);
    }
    if (lists) r.lists = lists;
  }
}
