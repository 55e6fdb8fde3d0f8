/**
 * The testing service's own HTTP server: the shared auth hook and error mapper, its routes only.
 * Nothing of the code service's API is mounted here, and the code service mounts nothing of this.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from '../http/app.ts';
import type { Logger } from 'pino';
import { registerAuth } from '../http/auth.ts';
import { registerErrorMapper } from '../http/errors.ts';
import { registerInputGuard } from '../http/input-guard.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { TestingService } from './testing.module.ts';
import { testingRoutes } from './testing.routes.ts';

/** Builds (does not start) the testing HTTP server. */
export async function buildTestingServer(t: TestingService, auth: AuthService, log?: Logger): Promise<App> {
  const app = Fastify({
    ...(log ? { loggerInstance: log as FastifyBaseLogger } : {}),
    logController: new LogController({ disableRequestLogging: true }),
    // a batch of 5 000 scans with codes is about 1 MB
    bodyLimit: 8 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerErrorMapper(app);
  registerInputGuard(app);
  registerAuth(app, auth);
  testingRoutes(app, t);
  await app.ready();
  return app;
}
