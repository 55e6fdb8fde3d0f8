/** Kysely table types for the core tables (migrations/0001_core.sql). */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Bytes = Uint8Array;

export interface PersonsTable {
  id: Generated<number>;
  doc_type: number;
  doc_hash: Bytes;
  doc_enc: Bytes;
  doc_masked: string;
  name_enc: Bytes;
  name_masked: string;
  sex: string | null;
  /** the year only (migrations/0460_persons_deidentified.sql); the full date is in birth_enc */
  birth_year: number | null;
  birth_enc: Bytes | null;
  phone_hash: Bytes | null;
  phone_enc: Bytes | null;
  region_code: string | null;
  address_enc: Bytes | null;
  code_subject: string;
  guardian_id: number | null;
  source: Generated<string>;
  source_record_id: string | null;
  created_at: Generated<Timestamp>;
}

export interface StaffTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  display_name: string;
  role: string;
  region_prefix: Generated<string>;
  created_at: Generated<Timestamp>;
}

export interface DevicesTable {
  id: Generated<number>;
  name: string;
  role: string;
  key_hash: Bytes;
  region_code: string | null;
  venue_id: number | null;
  created_at: Generated<Timestamp>;
  revoked_at: Timestamp | null;
}

export interface SigningKeysTable {
  kid: Bytes;
  alg: number;
  public_spki: Bytes;
  private_enc: Bytes;
  not_before: Timestamp;
  not_after: Timestamp;
  retired_at: Timestamp | null;
  revoked: Generated<boolean>;
  created_at: Generated<Timestamp>;
}

export interface PoliciesTable {
  version: string;
  document: ColumnType<unknown, string, string>;
  active: Generated<boolean>;
  created_by: string;
  created_at: Generated<Timestamp>;
  activated_at: Timestamp | null;
}

export interface DB {
  persons: PersonsTable;
  staff: StaffTable;
  devices: DevicesTable;
  signing_keys: SigningKeysTable;
  policies: PoliciesTable;
}
