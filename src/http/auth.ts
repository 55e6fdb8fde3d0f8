/**
 * Who may call what (docs/DESIGN.md §11). Every route declares `config.auth`: 'public' or the roles
 * allowed. The server refuses to start with a route that declares nothing, and this hook rejects
 * callers without one of the roles: 401 without credentials, 403 with the wrong ones.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { App } from './app.ts';
import type { DeviceRole, Principal } from '../domain/principal.ts';
import type { AuthService } from '../services/auth.service.ts';
import { AppError } from '../services/app-error.ts';

export type RouteRole = 'resident' | 'officer' | 'admin' | DeviceRole;
export type RouteAuth = 'public' | readonly RouteRole[];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** every route with its declared callers, for audits and tests */
    routeTable: Array<{ method: string; url: string; auth: RouteAuth; schema?: FastifySchema }>;
  }
}

export function roleOf(p: Principal): RouteRole {
  if (p.kind === 'resident') return 'resident';
  if (p.kind === 'staff') return p.role;
  return p.role;
}

export function registerAuth(app: App, auth: AuthService): void {
  app.decorateRequest('principal', undefined);
  const table: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    const declared = (route.config as { auth?: RouteAuth } | undefined)?.auth;
    const internal = route.url.startsWith('/docs') || route.prefix?.startsWith('/docs');
    if (declared === undefined && !internal)
      throw new Error(`route ${String(route.method)} ${route.url} does not declare who may call it`);
    if (declared !== undefined) {
      for (const m of [route.method].flat())
        if (m !== 'HEAD') table.push({ method: m, url: route.url, auth: declared, schema: route.schema });
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const declared = req.routeOptions.config.auth;
    if (declared === undefined || declared === 'public') return;
    const principal = await authenticate(req, auth);
    if (!principal)
      throw new AppError(
        'AUTH_REQUIRED',
        401,
        'sign in first: send Authorization: Bearer <token> or X-Api-Key',
      );
    if (!declared.includes(roleOf(principal))) {
      throw new AppError(
        'AUTH_FORBIDDEN',
        403,
        `this route is for ${declared.join(', ')}; you are ${roleOf(principal)}`,
      );
    }
    req.principal = principal;
  });
}

async function authenticate(req: FastifyRequest, auth: AuthService): Promise<Principal | undefined> {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return auth.bearer(h.slice(7).trim());
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key) return auth.deviceFromKey(key);
  if (h && h.startsWith('ApiKey ')) return auth.deviceFromKey(h.slice(7).trim());
  return undefined;
}

/** The signed-in resident's person id (routes declared for residents only). */
export function residentId(req: FastifyRequest): number {
  const p = req.principal;
  if (p?.kind !== 'resident') throw new AppError('AUTH_FORBIDDEN', 403, 'residents only');
  return p.personId;
}

/** The signed-in staff member, with their region prefix. */
export function staffOf(req: FastifyRequest): Extract<Principal, { kind: 'staff' }> {
  const p = req.principal;
  if (p?.kind !== 'staff') throw new AppError('AUTH_FORBIDDEN', 403, 'staff only');
  return p;
}

export function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  if (!p) return 'anonymous';
  if (p.kind === 'resident') return `resident:${p.personId}`;
  if (p.kind === 'staff') return `${p.role}:${p.staffId}`;
  return `device:${p.deviceId}`;
}
