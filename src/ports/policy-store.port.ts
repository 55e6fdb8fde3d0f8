/**
 * Policy versions (docs/POLICY.md): every published document is kept, one is active. Implemented by
 * adapters/repositories/policy.repository.ts.
 */

export interface PolicyVersionInfo {
  version: string;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

export interface PolicyStore {
  /** The active policy document as stored (validated by the caller), or undefined when none is. */
  activeDocument(): Promise<unknown>;
  /** The active document with its publication number (statuses record it), or undefined. */
  active(): Promise<{ document: unknown; seq: number } | undefined>;
  /** Stores `document` as the active version `version` if no policy is active yet (first start). */
  installIfNone(version: string, document: unknown, at: number): Promise<void>;
  /** Stores and activates a new version; false (and nothing changed) when that version exists. */
  publish(version: string, document: unknown, actor: string, at: number): Promise<boolean>;
  /** Every version, newest first. */
  versions(): Promise<PolicyVersionInfo[]>;
}
