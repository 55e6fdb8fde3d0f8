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
  /** the status's version (domain/status.ts StatusVersion) with computedAt */
  factVersion: number;
  factCount: number;
  policySeq: number;
}

export interface StatusStore {
  /**
   * Writes many statuses in one statement, each only if the stored one's version is not newer
   * (compare-and-set, docs/DESIGN.md §3), and only if computed under the active policy.
   * `changed`: how many persons got a new colour (or a first status); `refused`: the persons whose
   * stored status was newer and stays, or whose status applied a policy no longer active
   * (`stalePolicy`: the caller reloads the policy and recomputes them).
   */
  upsertMany(
    entries: ReadonlyArray<readonly [personId: number, status: Status]>,
  ): Promise<{ changed: number; refused: number[]; stalePolicy: boolean }>;
  /** One person's stored status. */
  get(personId: number): Promise<StoredStatus | undefined>;
  /** Current colours of many persons (to count transitions). */
  coloursOf(ids: readonly number[]): Promise<Map<number, number>>;
  /** Persons whose status may have changed on its own by `now`, earliest first, at most `limit`. */
  dueForReview(now: number, limit: number): Promise<number[]>;
  /** Residents per colour (0–4), optionally of one region (admin-code prefix). */
  countsByColour(regionPrefix?: string): Promise<Record<number, number>>;
}
