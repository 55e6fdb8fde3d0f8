/**
 * One caller of every principal kind over a server with every feature's routes, for the
 * route × role authorization table and the fuzz test: anonymous, a resident, an officer, an
 * administrator and a device of each device role.
 */
import type { App } from '../../src/http/app.ts';
import { DEVICE_ROLES, type DeviceRole } from '../../src/domain/principal.ts';
import { afterAll, beforeAll } from 'vitest';
import { createTestContext, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { httpLogin, testServer } from './http.ts';

export type PrincipalKind = 'anonymous' | 'resident' | 'officer' | 'admin' | DeviceRole;
export const PRINCIPAL_KINDS: readonly PrincipalKind[] = [
  'anonymous',
  'resident',
  'officer',
  'admin',
  ...DEVICE_ROLES,
];

export interface World {
  app: App;
  /** request headers that sign in as each principal kind */
  headers: Record<PrincipalKind, Record<string, string>>;
  residentId: number;
}

/** The full server (every feature's routes) and a signed-in caller of each kind. */
export async function worldOfPrincipals(ctx: TestContext): Promise<World> {
  const { FEATURES } = await import('../../src/roles/features.ts');
  await ctx.keys.ensureKey();
  const app = await testServer(
    ctx,
    FEATURES.flatMap((f) => (f.routes ? [f.routes] : [])),
  );
  const resident = await createResident(ctx, { regionCode: '520102' });
  const headers = { anonymous: {} } as World['headers'];
  headers.resident = { authorization: `Bearer ${await httpLogin(app, ctx, resident.phone)}` };
  await ctx.auth.addStaff('fz-officer', 'pass-word-officer-1', 'Officer', 'officer', '5201');
  await ctx.auth.addStaff('fz-admin', 'pass-word-admin-22', 'Admin', 'admin', '');
  for (const [kind, username, password] of [
    ['officer', 'fz-officer', 'pass-word-officer-1'],
    ['admin', 'fz-admin', 'pass-word-admin-22'],
  ] as const) {
    const r = await app.inject({ method: 'POST', url: '/v1/auth/staff', payload: { username, password } });
    if (r.statusCode !== 200) throw new Error(`staff sign-in failed: ${r.body}`);
    headers[kind] = { authorization: `Bearer ${(r.json() as { accessToken: string }).accessToken}` };
  }
  for (const role of DEVICE_ROLES)
    headers[role] = { 'x-api-key': (await ctx.auth.addDevice(`fz-${role}`, role, '520102')).apiKey };
  return { app, headers, residentId: resident.id };
}

/**
 * A test context and its world of principals for the calling file's tests: made before them,
 * closed after them (read `ctx` and `w` inside the tests).
 */
export function worldOfPrincipalsForFile(): { ctx: TestContext; w: World } {
  const held = {} as { ctx: TestContext; w: World };
  beforeAll(async () => {
    held.ctx = await createTestContext();
    held.w = await worldOfPrincipals(held.ctx);
  });
  afterAll(async () => {
    await held.w?.app.close();
    await held.ctx?.destroy();
  });
  return held;
}
