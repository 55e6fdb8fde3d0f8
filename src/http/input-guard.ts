/**
 * Bad input stops at the edge (docs/DESIGN.md §11): a JSON body must be valid UTF-8, and no
 * parameter, query value or body value may hold NUL, a lone surrogate, U+FFFD, text beyond
 * MAX_TEXT_LENGTH, a non-finite number or one beyond 2^53 − 1 (src/domain/input.ts). Such a
 * request gets 400 with the value's code and path before any service sees it. A batch route names
 * its rows (`config.rows`, e.g. 'records'): those are left to the service, which reports a bad
 * row as a row error and keeps the good ones.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import type { App } from './app.ts';
import { findInputProblem, type InputProblem } from '../domain/input.ts';
import { AppError } from '../services/app-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the body field holding a batch's rows, checked row by row by the service */
    rows?: string;
  }
}

export function registerInputGuard(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (!isUtf8(buf)) {
      done(new AppError('INPUT_BAD_ENCODING', 400, 'the request body is not valid UTF-8'), undefined);
      return;
    }
    void parseJson(req, buf.toString('utf8'), done);
  });
  // Before the schema (which would only say "must be integer" of an Infinity) and again after it,
  // since its coercion turns "99999999999999999999" in a path or query into 1e20.
  app.addHook('preValidation', async (req) => refuse(requestProblem(req)));
  app.addHook('preHandler', async (req) => refuse(requestProblem(req)));
}

function refuse(problem: InputProblem | undefined): void {
  if (problem)
    throw new AppError(problem.code, 400, `${problem.path || 'value'}: ${problem.message}`, {
      path: problem.path,
    });
}

function requestProblem(req: FastifyRequest): InputProblem | undefined {
  const rows = req.routeOptions.config.rows;
  const skip = rows === undefined ? undefined : (p: string) => p === `/body/${rows}`;
  return (
    findInputProblem(req.params, undefined, '/params') ??
    findInputProblem(req.query, undefined, '/query') ??
    findInputProblem(req.body, skip, '/body')
  );
}
