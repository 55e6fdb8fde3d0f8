/**
 * The one error mapper: known codes become 4xx with `{error: {code, message, details}}`, schema
 * failures become 400 REQUEST_INVALID naming the field, anything else a logged 500 with no internals.
 */
import type { FastifyError } from 'fastify';
import type { App } from './app.ts';
import { AppError } from '../services/app-error.ts';

export function registerErrorMapper(app: App): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined)
        void reply.header('Retry-After', String(err.retryAfterSeconds));
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({
        error: {
          code: 'REQUEST_INVALID',
          message: `${fe.validationContext ?? 'request'} ${fe.validation.map((v) => `${v.instancePath || '/'} ${v.message ?? ''}`).join('; ')}`,
          details: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        },
      });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply
        .status(fe.statusCode)
        .send({ error: { code: fe.code ?? 'REQUEST_INVALID', message: fe.message } });
    }
    if (isDataException(err)) {
      // The store refused a value the edge let through (SQLSTATE class 22: data exception): the
      // caller's input, not our failure. Logged so the missing edge check gets added.
      req.log.warn({ err }, 'value refused by the database');
      return reply.status(400).send({
        error: { code: 'INPUT_REFUSED', message: 'a value of the request is out of range or malformed' },
      });
    }
    req.log.error({ err }, 'unexpected error');
    return reply
      .status(500)
      .send({ error: { code: 'INTERNAL', message: 'internal error; it has been logged' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
}

/** A PostgreSQL (or PGlite) error of SQLSTATE class 22, data exception: bad input values. */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
