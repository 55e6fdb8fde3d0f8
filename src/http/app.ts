/**
 * The Fastify instance every route module receives. Its TypeBox type provider types each handler's
 * body, params and query from the route's schema, so handlers need no casts.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../roles/context.ts';
import type { Metrics } from './metrics.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A feature module adds its routes to the app (src/roles/features.ts lists them). */
export type RouteModule = (app: App, ctx: AppContext, metrics: Metrics) => void | Promise<void>;
