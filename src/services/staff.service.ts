/**
 * Staff accounts (docs/SECURITY.md): officers scoped to an admin-code prefix, administrators.
 * Passwords follow the policy in domain/password-policy.ts; an officer always has a region (the
 * whole province is a prefix like "52", given explicitly). Every change is audited; a disabled
 * account or a changed password ends the account's sessions at once, and a changed role or
 * region applies to the next request of every session (sessions read the account each time).
 */
import { passwordProblem, passwordProblemText } from '../domain/password-policy.ts';
import type { StaffRole } from '../domain/principal.ts';
import { cityName, countyName, provinceName } from '../domain/regions.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { PasswordHasher } from '../ports/password-hasher.port.ts';
import type { StaffChanges, StaffRecord, StaffStore } from '../ports/staff.port.ts';
import type { Stores, UnitOfWork } from '../ports/unit-of-work.port.ts';
import { AppError } from './app-error.ts';
import type { AuditService } from './audit.service.ts';

export interface NewStaffInput {
  username: string;
  password: string;
  displayName?: string;
  role: StaffRole;
  /** admin-code prefix (2, 4 or 6 digits); required for officers, '' (every region) for administrators */
  regionPrefix?: string;
}

export interface StaffUpdate {
  password?: string;
  displayName?: string;
  role?: StaffRole;
  regionPrefix?: string;
  disabled?: boolean;
}

/** What is shown of an account (never its password hash). */
export interface StaffView {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  regionPrefix: string;
  disabled: boolean;
  createdAt: string;
}

/** Ends sessions when an account is disabled or its password changes (SessionService). */
export interface StaffSessionEnder {
  /** Revokes every session of one staff account (in the unit of work `s` when given); returns how many. */
  revokeStaffSessions(staffId: number, actor: string, s?: Stores): Promise<number>;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

export function staffView(s: StaffRecord): StaffView {
  return {
    id: s.id,
    username: s.username,
    displayName: s.displayName,
    role: s.role,
    regionPrefix: s.regionPrefix,
    disabled: s.disabledAt !== null,
    createdAt: s.createdAt.toISOString(),
  };
}

/** Whether a prefix names a real division: a province (2 digits), prefecture (4) or county (6). */
export function knownRegionPrefix(prefix: string): boolean {
  if (prefix.length === 2) return provinceName(prefix) !== undefined;
  if (prefix.length === 4) return cityName(prefix) !== undefined;
  if (prefix.length === 6) return countyName(prefix) !== undefined;
  return false;
}

export class StaffService {
  private sessions: StaffSessionEnder | undefined;

  constructor(
    private readonly staff: StaffStore,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** an account change, its audit entry and the sessions it ends commit together or not at all */
    private readonly uow: UnitOfWork,
  ) {}

  /** Wires the session service (built after this one). */
  useSessions(sessions: StaffSessionEnder): void {
    this.sessions = sessions;
  }

  /** Creates an account, or resets an existing one's password, name, role and region (audited). */
  async add(input: NewStaffInput, actor: string): Promise<StaffView> {
    const username = input.username.trim();
    if (!USERNAME.test(username))
      throw new AppError(
        'STAFF_BAD_USERNAME',
        400,
        '用户名为 2–64 个字母、数字或 ._@- username must be 2–64 letters, digits or ._@-',
      );
    this.checkPassword(input.password, username);
    const region = this.checkRegion(input.role, input.regionPrefix ?? '');
    const passwordHash = await this.hasher.hash(input.password);
    const rec = await this.uow.run(async (s) => {
      const { id, created } = await s.staff.upsert({
        username,
        passwordHash,
        displayName: (input.displayName ?? '').trim() || username,
        role: input.role,
        regionPrefix: region,
      });
      await this.audit.appendTo(s.audit, {
        actor,
        action: created ? 'staff.add' : 'staff.reset',
        detail: { id, username, role: input.role, region },
      });
      // A reset password ends the sessions signed in with the old one.
      if (!created) await this.sessions?.revokeStaffSessions(id, actor, s);
      return s.staff.byId(id);
    });
    return staffView(rec!);
  }

  /** Changes role, region, name, password or the disabled flag of one account (audited). */
  async update(id: number, u: StaffUpdate, actor: string): Promise<StaffView> {
    const current = await this.staff.byId(id);
    if (!current) throw new AppError('STAFF_NOT_FOUND', 404, '没有该工作人员 no such staff account');
    const role = u.role ?? current.role;
    const changes: StaffChanges = {};
    if (u.role !== undefined || u.regionPrefix !== undefined)
      changes.regionPrefix = this.checkRegion(role, u.regionPrefix ?? current.regionPrefix);
    if (u.role !== undefined) changes.role = u.role;
    if (u.displayName !== undefined) changes.displayName = u.displayName.trim() || current.username;
    if (u.password !== undefined) {
      this.checkPassword(u.password, current.username);
      changes.passwordHash = await this.hasher.hash(u.password);
    }
    if (u.disabled !== undefined) changes.disabled = u.disabled;
    const updated = await this.uow.run(async (s) => {
      const row = await s.staff.update(id, changes, new Date(this.clock.now()));
      if (!row) throw new AppError('STAFF_NOT_FOUND', 404, '没有该工作人员 no such staff account');
      await this.audit.appendTo(s.audit, {
        actor,
        action: 'staff.update',
        detail: {
          id,
          username: current.username,
          ...(changes.role !== undefined ? { role: changes.role } : {}),
          ...(changes.regionPrefix !== undefined ? { region: changes.regionPrefix } : {}),
          ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
          ...(u.password !== undefined ? { password: 'changed' } : {}),
        },
      });
      if (u.disabled === true || u.password !== undefined)
        await this.sessions?.revokeStaffSessions(id, actor, s);
      return row;
    });
    return staffView(updated);
  }

  /** Every account. */
  async list(): Promise<StaffView[]> {
    return (await this.staff.list()).map(staffView);
  }

  /** One account by username (CLI). */
  async byUsername(username: string): Promise<StaffView | undefined> {
    const s = await this.staff.byUsername(username);
    return s && staffView(s);
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem) throw new AppError('STAFF_WEAK_PASSWORD', 400, passwordProblemText(problem), { problem });
  }

  private checkRegion(role: StaffRole, prefix: string): string {
    const p = prefix.trim();
    if (p === '') {
      if (role === 'officer')
        throw new AppError(
          'STAFF_REGION_REQUIRED',
          400,
          '防疫人员必须指定辖区（全省请写省级代码，如 52） an officer needs a region: an admin-code prefix such as 520102, 5201, or 52 for the whole province',
        );
      return '';
    }
    if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(p) || !knownRegionPrefix(p))
      throw new AppError(
        'STAFF_BAD_REGION',
        400,
        '辖区须为 2、4 或 6 位行政区划代码 region must be a GB/T 2260 province (2 digits), prefecture (4) or county (6) code',
      );
    return p;
  }
}
