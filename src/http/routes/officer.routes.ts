/**
 * Officer work on persons: lookup (only inside the officer's region, every read audited),
 * corrections (CorrectionService: a fact with reason, author and expiry, audited atomically) and
 * colour counts.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { AppError } from '../../services/app-error.ts';
import { COLOUR5_NAMES } from '../../domain/colour.ts';
import { actorOf, staffOf } from '../auth.ts';
import { errors, json } from '../schemas.ts';

const OFFICERS = ['officer', 'admin'] as const;

async function readablePerson(ctx: AppContext, req: FastifyRequest, personId: number) {
  const staff = staffOf(req);
  const p = await ctx.residents.profile(personId);
  // Outside the officer's region looks the same as not found: no probing who lives where.
  if (!p || !(p.regionCode ?? '').startsWith(staff.regionPrefix))
    throw new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region');
  return p;
}

export function officerRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/persons/lookup',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '按证件查人 Find a person by document (audited)',
        body: Type.Object(
          { docType: Type.Integer(), docNumber: Type.String({ minLength: 1, maxLength: 32 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const b = req.body;
      const id = await ctx.residents.findByDocument(b.docType, b.docNumber);
      if (id === undefined) throw new AppError('PERSON_NOT_FOUND', 404, 'no such person in your region');
      await readablePerson(ctx, req, id);
      await ctx.audit.append({ actor: actorOf(req), action: 'person.lookup', personId: id });
      return { id };
    },
  );

  app.get(
    '/v1/persons/:id',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '查看人员 Read a person, status and facts (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: json('person (masked), status with reasons, facts'), ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const id = req.params.id;
      const person = await readablePerson(ctx, req, id);
      await ctx.audit.append({ actor: actorOf(req), action: 'person.read', personId: id });
      const [status, facts] = await Promise.all([ctx.statuses.shown(id), ctx.facts.forPerson(id)]);
      return { person, status, facts };
    },
  );

  app.post(
    '/v1/persons/:id/corrections',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '人工纠错 Correct a colour (a fact with reason and expiry, audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            colour5: Type.Union(COLOUR5_NAMES.map((c) => Type.Literal(c))),
            reason: Type.String({ minLength: 4, maxLength: 500 }),
            expiresAt: Type.String({ format: 'date-time' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ factId: Type.Integer() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const staff = staffOf(req);
      const r = await ctx.corrections.correct(
        { actor: actorOf(req), regionPrefix: staff.regionPrefix },
        req.params.id,
        { colour5: req.body.colour5, reason: req.body.reason, expiresAt: Date.parse(req.body.expiresAt) },
      );
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/v1/stats/colours',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '颜色统计 Residents per colour in my region',
        response: {
          200: Type.Object({
            regionPrefix: Type.String(),
            counts: Type.Record(Type.String(), Type.Integer()),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const staff = staffOf(req);
      const byNumber = await ctx.statuses.countsByColour(staff.regionPrefix);
      const counts = Object.fromEntries(COLOUR5_NAMES.map((n, i) => [n, byNumber[i] ?? 0]));
      return { regionPrefix: staff.regionPrefix, counts };
    },
  );
}
