/**
 * Who is calling (docs/DESIGN.md §11): a resident, a staff member (officer or administrator,
 * scoped to an admin-code prefix) or a registered device. Sessions name the sign-in a resident or
 * staff principal came from, so it can be revoked.
 */
export type DeviceRole = 'scanner' | 'venue' | 'tester' | 'lab' | 'carrier' | 'peer';
export const DEVICE_ROLES: readonly DeviceRole[] = ['scanner', 'venue', 'tester', 'lab', 'carrier', 'peer'];

export type StaffRole = 'officer' | 'admin';

export type Principal =
  | { kind: 'resident'; personId: number; sessionId?: string }
  | { kind: 'staff'; staffId: number; role: StaffRole; regionPrefix: string; sessionId?: string }
  | { kind: 'device'; deviceId: number; role: DeviceRole; regionCode: string | null; venueId: number | null };

export function isDeviceRole(v: unknown): v is DeviceRole {
  return typeof v === 'string' && (DEVICE_ROLES as readonly string[]).includes(v);
}
