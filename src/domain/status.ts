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
}
