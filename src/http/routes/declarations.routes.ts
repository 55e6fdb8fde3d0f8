/**
 * Resident self-declaration (自主申报), the GB/T 38963 declaration interfaces: temperature,
 * symptoms and trips, recorded as a `declaration` fact (fever or respiratory symptoms turn the
 * code orange under the default policy) and trips for the itinerary card.
 */
import crypto from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { RawRecord } from '../../domain/feeds/record.ts';
import type { AppContext } from '../../roles/context.ts';
import { SELF_DECLARATION_SOURCE } from '../../services/feeds/facts.ingest.ts';
import type { IngestService } from '../../services/feeds/ingest.service.ts';
import { residentId } from '../auth.ts';
import { errors } from '../schemas.ts';

const Trip = Type.Object(
  {
    mode: Type.Union([Type.Literal('rail'), Type.Literal('flight'), Type.Literal('road')]),
    fromRegion: Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 code' }),
    toRegion: Type.String({ pattern: '^\\d{6}$' }),
    departedAt: Type.String({ description: 'ISO 8601' }),
    arrivedAt: Type.String(),
    carriage: Type.Optional(Type.String({ maxLength: 16 })),
    seat: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: false },
);

const DeclarationBody = Type.Object(
  {
    clientId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'id the app gives this declaration; a retry with the same id changes nothing',
      }),
    ),
    temperature: Type.Optional(Type.Number({ minimum: 34, maximum: 43, description: '体温 °C' })),
    symptoms: Type.Optional(
      Type.Array(Type.String({ maxLength: 40 }), {
        maxItems: 12,
        description: 'e.g. fever, cough, sore_throat',
      }),
    ),
    trips: Type.Optional(Type.Array(Trip, { maxItems: 20 })),
    declaredAt: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export function declarationRoutes(app: App, ctx: AppContext, ingest: IngestService): void {
  app.post(
    '/v1/me/declarations',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '自主申报 Declare temperature, symptoms or trips (GB/T 38963)',
        body: DeclarationBody,
        response: {
          201: Type.Object({ status: Type.String() }),
          200: Type.Object({ status: Type.String() }),
          ...errors(400, 401, 403, 422),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { clientId, ...rest } = b;
      const id =
        clientId ?? crypto.createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 22);
      const r = await ingest.selfDeclare(residentId(req), id, normalise(rest));
      return reply.status(r.status === 'accepted' ? 201 : 200).send(r);
    },
  );

  app.get(
    '/v1/me/declarations',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '我的申报 My declarations',
        response: {
          200: Type.Object({
            declarations: Type.Array(
              Type.Object({
                declaredAt: Type.String(),
                temperature: Type.Optional(Type.Number()),
                symptoms: Type.Optional(Type.Array(Type.String())),
                trips: Type.Optional(Type.Integer()),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const facts = await ctx.facts.forPerson(residentId(req));
      return {
        declarations: facts
          .filter((f) => f.type === 'declaration' && f.source === SELF_DECLARATION_SOURCE)
          .reverse()
          .map((f) => ({
            declaredAt: new Date(f.eventTime).toISOString(),
            ...(f.data.temperature !== undefined ? { temperature: f.data.temperature } : {}),
            ...(f.data.symptoms !== undefined ? { symptoms: f.data.symptoms } : {}),
            ...(typeof f.data.trips === 'number' ? { trips: f.data.trips } : {}),
          })),
      };
    },
  );
}

/** The API speaks camelCase; the feed checks read snake_case. */
function normalise(b: Record<string, unknown>): RawRecord {
  const trips = Array.isArray(b.trips)
    ? (b.trips as Array<Record<string, unknown>>).map((t) => ({
        mode: t.mode,
        from_region: t.fromRegion,
        to_region: t.toRegion,
        departed_at: t.departedAt,
        arrived_at: t.arrivedAt,
        carriage: t.carriage,
        seat: t.seat,
      }))
    : undefined;
  return {
    temperature: b.temperature,
    symptoms: b.symptoms,
    declared_at: b.declaredAt,
    ...(trips ? { trips } : {}),
  };
}
