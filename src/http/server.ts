/**
 * The HTTP API: Fastify with TypeBox schemas, security headers (security-headers.ts), OpenAPI at
 * /docs (HC_DOCS), metrics at /metrics when they share the public listener (HC_METRICS; otherwise
 * metrics-server.ts serves them on a listener of their own). Routes are thin: validate, authorise
 * (src/http/auth.ts), call one service, map the result.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../roles/context.ts';
import type { App, RouteModule } from './app.ts';
import { registerAuth } from './auth.ts';
import { registerErrorMapper } from './errors.ts';
import { registerInputGuard } from './input-guard.ts';
import { registerOverloadGuard } from './overload.ts';
import { docsCsp, registerSecurityHeaders } from './security-headers.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { codeRoutes } from './routes/code.routes.ts';
import { demoRoutes } from './routes/demo.routes.ts';
import { officerRoutes } from './routes/officer.routes.ts';
import { systemRoutes } from './routes/system.routes.ts';

export interface ServerOptions {
  logger?: boolean;
  extraRoutes?: RouteModule[];
  /** concurrent requests admitted before shedding with 429 (default from config) */
  maxInFlight?: number;
}

export async function buildServer(
  ctx: AppContext,
  opts: ServerOptions = {},
): Promise<{ app: App; metrics: Metrics }> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; naming the base type keeps App one type across modules.
    loggerInstance: opts.logger === false ? undefined : (ctx.log as FastifyBaseLogger),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // the client's address counts for the sign-in limits: take X-Forwarded-For only from our proxies
    trustProxy: ctx.config.trustProxy,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = createMetrics();

  await registerSecurityHeaders(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: '健康码平台 Health Code Platform API',
        version: '1',
        description:
          'Residents, codes, verification and the officer console. Every route states who may call it.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
    },
  });
  if (ctx.config.docs)
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { validatorUrl: null }, // no request to validator.swagger.io
      transformStaticCSP: docsCsp,
    });

  registerErrorMapper(app);
  registerInputGuard(app);
  registerOverloadGuard(app, opts.maxInFlight ?? ctx.config.maxInFlight, () => metrics.shed.inc());
  registerAuth(app, ctx.auth);
  // One labelled child per (route, method, status), found by a flat key: prom-client's label
  // hashing per observation showed in the code-display profile.
  const durations = new Map<string, { observe(v: number): void }>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unknown';
    const key = `${route} ${req.method} ${reply.statusCode}`;
    let child = durations.get(key);
    if (child === undefined) {
      child = metrics.httpDuration.labels(route, req.method, String(reply.statusCode));
      durations.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });

  const modules: RouteModule[] = [
    systemRoutes,
    authRoutes,
    codeRoutes,
    officerRoutes,
    adminRoutes,
    demoRoutes,
    ...(opts.extraRoutes ?? []),
  ];
  for (const m of modules) await m(app, ctx, metrics);
  await app.ready();
  return { app, metrics };
}
