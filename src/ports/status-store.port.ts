/**
 * Computed statuses, one per person (docs/DESIGN.md §3): the status table. Implemented by
 * adapters/repositories/status.repository.ts.
 */
import type { Colour5 } from '../domain/colour.ts';
import type { Status, StoredReason } from '../domain/status.ts';

/** A person's status as stored: the reasons without the rule's words (the policy's, looked up when shown). */
export interface StoredStatus {
  personId: number;
  colour5: Colour5;
  reasons: StoredReason[];
  nextReviewAt: number | null;
  policyVersion: string;
  vaccineDoses: number;
  lastNegativeTestDay: number | null;
  computedAt: number;
}

export interface StatusStore {
  /** Writes many statuses in one statement; `changed`: how many persons got a new colour (or a first status). */
  upsertMany(
    entries: ReadonlyArray<readonly [personId: number, status: Status]>,
  ): Promise<{ changed: number }>;
  /** One person's stored status. */
  get(personId: number): Promise<StoredStatus | undefined>;
  /** Current colours of many persons (to count transitions). */
  coloursOf(ids: readonly number[]): Promise<Map<number, number>>;
  /** Persons whose status may have changed on its own by `now`, earliest first, at most `limit`. */
  dueForReview(now: number, limit: number): Promise<number[]>;
  /** Residents per colour (0–4), optionally of one region (admin-code prefix). */
  countsByColour(regionPrefix?: string): Promise<Record<number, number>>;
}
