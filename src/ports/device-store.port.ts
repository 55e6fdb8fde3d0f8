/**
 * Registered devices (scanners, venue gates, testers, labs, feeds) and their API keys, stored as
 * SHA-256 of the secret part. Implemented by adapters/repositories/auth/device.repository.ts.
 */
import type { DeviceRole } from '../domain/principal.ts';

export interface DeviceRecord {
  id: number;
  name: string;
  role: DeviceRole;
  keyHash: Uint8Array;
  regionCode: string | null;
  venueId: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewDevice {
  name: string;
  role: DeviceRole;
  keyHash: Uint8Array;
  regionCode: string | null;
  venueId: number | null;
}

export interface DeviceStore {
  /** Registers a device; its id. */
  add(d: NewDevice): Promise<number>;
  /** The device with this id, revoked or not. */
  byId(id: number): Promise<DeviceRecord | undefined>;
  /** Marks the device revoked at `now` (once); the record after, or undefined when there is none. */
  revoke(id: number, now: Date): Promise<DeviceRecord | undefined>;
  /** Every device, by id. */
  list(): Promise<DeviceRecord[]>;
}
