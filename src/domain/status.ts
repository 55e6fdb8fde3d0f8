/** A computed status (docs/DESIGN.md §3): never typed in by hand. Times are epoch milliseconds. */
import type { Colour3, Colour5 } from './colour.ts';

export interface StatusReason {
  /** policy rule id that fired */
  rule: string;
  /** facts that made it fire */
  factIds: string[];
  /** when it started (earliest firing fact's event time) */
  since: number;
  /** when it will end on its own, if known (null: needs tests or an authority release) */
  until: number | null;
  /** what ends it, in words, for "why this colour" */
  label: { zh: string; en: string };
  release: { zh: string; en: string };
  /** key-population lists (fact data.list) of the firing facts, so a resident sees which list */
  lists?: string[];
}

/**
 * A reason as the status table keeps it: the rule's words (label, release) are the policy's, looked
 * up by rule id when shown (the code display and officer reads do), not copied into every row.
 */
export type StoredReason = Omit<StatusReason, 'label' | 'release'>;

export interface Status {
  colour5: Colour5;
  colour3: Colour3;
  reasons: StatusReason[];
  /** the moment the status may change with no new fact; null = never */
  nextReviewAt: number | null;
  policyVersion: string;
  computedAt: number;
  /** display extras derived from facts */
  vaccineDoses: number;
  /** day of last negative test, days since 1970-01-01 */
  lastNegativeTestDay: number | null;
  /** the highest id among the facts it was computed from (0: none); see StatusVersion */
  factVersion: number;
  /** how many facts it was computed from */
  factCount: number;
  /** the publication number of the policy it was computed under (0: unknown); see StatusVersion */
  policySeq: number;
}

/**
 * The version of a status (docs/DESIGN.md §3): which facts it was computed from, then when. Stores
 * and caches keep a status only while no write with a newer version came (compare-and-set), so a
 * recompute that read fewer facts never replaces one that read more, whichever finishes last.
 * Facts are append-only (retention, which deletes, resets the stored versions it affects), so of
 * two reads of one person's facts the later one has a higher or equal highest id and, with an
 * equal one, at least as many facts: the count catches a fact that committed after a fact with a
 * higher id (two writers), which the highest id alone would miss.
 */
export interface StatusVersion {
  factVersion: number;
  factCount: number;
  /**
   * the publication number of the policy applied: of statuses of the same facts, the one under the
   * later policy is newer — a process that has not reloaded a just-published policy yet computes at
   * the same moment (a test clock, the same millisecond) or later, and must not win
   */
  policySeq: number;
  /** epoch ms; among statuses of the same facts and policy the later evaluation wins (a review) */
  computedAt: number;
}

/** Negative, zero or positive as version `a` is older than, equal to or newer than `b`. */
export function compareStatusVersions(a: StatusVersion, b: StatusVersion): number {
  return (
    a.factVersion - b.factVersion ||
    a.factCount - b.factCount ||
    a.policySeq - b.policySeq ||
    a.computedAt - b.computedAt
  );
}

/** The version part a set of facts gives a status: their highest id (as a number) and their count. */
export function factVersionOf(
  facts: ReadonlyArray<{ id: string }>,
): Pick<StatusVersion, 'factVersion' | 'factCount'> {
  let max = 0;
  for (const f of facts) {
    const id = Number(f.id);
    if (id > max) max = id;
  }
  return { factVersion: max, factCount: facts.length };
}
