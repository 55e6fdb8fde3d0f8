/** Staff accounts: officers scoped to an admin-code prefix, and administrators. */
import type { StaffRole } from '../domain/principal.ts';

export interface StaffRecord {
  id: number;
  username: string;
  passwordHash: string;
  displayName: string;
  role: StaffRole;
  /** admin-code prefix the account may read ('' = every region: administrators only) */
  regionPrefix: string;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface NewStaff {
  username: string;
  passwordHash: string;
  displayName: string;
  role: StaffRole;
  regionPrefix: string;
}

export interface StaffChanges {
  passwordHash?: string;
  displayName?: string;
  role?: StaffRole;
  regionPrefix?: string;
  /** true disables the account (at `now`), false enables it again */
  disabled?: boolean;
}

export interface StaffStore {
  /** The account with this exact username. */
  byUsername(username: string): Promise<StaffRecord | undefined>;
  /** The account with this id. */
  byId(id: number): Promise<StaffRecord | undefined>;
  /** Every account, by id. */
  list(): Promise<StaffRecord[]>;
  /** Creates the account, or replaces password, name, role and region of the one with this username. */
  upsert(s: NewStaff): Promise<{ id: number; created: boolean }>;
  /** Applies changes to one account; undefined when there is none. */
  update(id: number, changes: StaffChanges, now: Date): Promise<StaffRecord | undefined>;
}
