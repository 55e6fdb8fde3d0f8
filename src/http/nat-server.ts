/**
 * The nucleic-acid testing service's own HTTP server: the shared auth hook and error mapper, its routes only.
 * Nothing of the code service's API is mounted here, and the code service mounts nothing of this.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { registerInputGuard } from './input-guard.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { App } from './app.ts';
import { registerAuth } from './auth.ts';
import { registerErrorMapper } from './errors.ts';
import { registerOverloadGuard } from './overload.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { natRoutes, type NatApi } from './routes/nat/nat.routes.ts';

/**
 * Builds (does not start) the testing HTTP server: the platform's edge (security headers, load
 * shedding past `maxInFlight`, input guard, error mapper, auth) in front of the testing routes.
 */
export async function buildNatServer(
  nat: NatApi,
  auth: AuthService,
  log?: Logger,
  opts: { maxInFlight?: number } = {},
): Promise<App> {
  const app = Fastify({
    ...(log ? { loggerInstance: log as FastifyBaseLogger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    // a batch of 5 000 scans with codes is about 1 MB
    bodyLimit: 8 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await registerSecurityHeaders(app);
  if (opts.maxInFlight !== undefined) registerOverloadGuard(app, opts.maxInFlight);
  registerErrorMapper(app);
  registerInputGuard(app);
  registerAuth(app, auth);
  natRoutes(app, nat);
  await app.ready();
  return app;
}
