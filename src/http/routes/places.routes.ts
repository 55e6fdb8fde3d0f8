/**
 * Places (docs/DESIGN.md §8): risk areas (public list as GeoJSON; officers publish, change, lift,
 * read history), the itinerary card, resident check-ins. Venue routes: ./places/venue.routes.ts.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import type { AreaActor } from '../../services/places/risk-area.service.ts';
import { regionScope } from '../../domain/regions.ts';
import { actorOf, residentId, staffOf } from '../auth.ts';
import { errors, json } from '../schemas.ts';
import { venueRoutes } from './places/venue.routes.ts';

const OFFICERS = ['officer', 'admin'] as const;
const Level = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
const AreaBody = {
  name: Type.String({ minLength: 1, maxLength: 200, description: '名称 e.g. 花果园某小区 / 某超市' }),
  level: Level,
  geometry: Type.Unknown({ description: 'GeoJSON Polygon or MultiPolygon, [lon, lat]' }),
  center: Type.Object({ lat: Type.Number(), lon: Type.Number() }),
  radiusM: Type.Number({ minimum: 1, maximum: 50000 }),
  adminCode: Type.String({
    pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$',
    description: 'county (6), street (9) or community (12) code',
  }),
  regionCode: Type.String({ pattern: '^\\d{6}$', description: 'county the drawn area lies in' }),
  startsAt: Type.String({ format: 'date-time' }),
  liftedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  note: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
};
const MatchReport = Type.Object({
  stays: Type.Integer(),
  matches: Type.Integer(),
  facts: Type.Integer(),
  persons: Type.Integer(),
  ms: Type.Integer(),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

function who(req: FastifyRequest): AreaActor {
  return { actor: actorOf(req), regionPrefix: staffOf(req).regionPrefix };
}

export async function placesRoutes(app: App, ctx: AppContext): Promise<void> {
  const places = ctx.places;

  app.get(
    '/v1/risk-areas',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['places'],
        summary:
          '当前风险区 Current risk areas (GeoJSON FeatureCollection; admin-code areas have geometry null)',
      },
    },
    async (_req, reply) => {
      void reply.header('Cache-Control', 'public, max-age=60');
      return places.areas.current();
    },
  );

  app.post(
    '/v1/risk-areas',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['places'],
        summary: '发布风险区 Publish a risk area in my region (re-matches the last 14 days)',
        body: Type.Intersect([
          Type.Object({ name: AreaBody.name, level: Level }),
          Type.Partial(Type.Object({ ...AreaBody })),
        ]),
        response: {
          201: Type.Object({ area: Type.Unknown(), rematch: MatchReport }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await places.areas.publish(who(req), req.body)),
  );

  app.get(
    '/v1/risk-areas/manage',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['places'],
        summary: '我辖区的风险区 Every area of my region, lifted ones included',
        response: { 200: json('GeoJSON FeatureCollection of risk areas'), ...errors(401, 403) },
      },
    },
    async (req) => ({ type: 'FeatureCollection', features: await places.areas.inRegion(who(req)) }),
  );

  app.patch(
    '/v1/risk-areas/:id',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['places'],
        summary: '修改风险区 Change an area (new version, history kept, re-matched)',
        params: IdParams,
        body: Type.Partial(Type.Object({ ...AreaBody })),
        response: {
          200: Type.Object({ area: Type.Unknown(), rematch: MatchReport }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => places.areas.update(who(req), req.params.id, req.body),
  );

  app.post(
    '/v1/risk-areas/:id/lift',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['places'],
        summary: '解除风险区 Lift an area (now, or at a given time)',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { at: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Object({ area: Type.Unknown(), rematch: MatchReport }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => places.areas.lift(who(req), req.params.id, req.body?.at),
  );

  app.get(
    '/v1/risk-areas/:id/history',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['places'],
        summary: '风险区变更历史 An area and its full history (who, when, what)',
        params: IdParams,
        response: { 200: json('the area and its history'), ...errors(401, 403, 404) },
      },
    },
    async (req) => places.areas.withHistory(who(req), req.params.id),
  );

  const CityBody = Type.Object(
    {
      regionCode: Type.String({
        pattern: '^\\d{4}(\\d{2})?$',
        description: '地市 (4 digits) or 区县 (6 digits)',
      }),
      since: Type.Optional(Type.String({ format: 'date-time' })),
      until: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
      note: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    },
    { additionalProperties: false },
  );
  const CityView = Type.Object({
    id: Type.Integer(),
    regionCode: Type.String(),
    name: Type.String(),
    since: Type.String(),
    until: Type.Union([Type.String(), Type.Null()]),
    note: Type.Union([Type.String(), Type.Null()]),
  });
  const lister = (req: FastifyRequest) => {
    const p = req.principal;
    if (p?.kind === 'device') return { actor: actorOf(req), regionPrefix: regionScope(p.regionCode ?? '') };
    return who(req);
  };

  app.get(
    '/v1/cities-with-cases',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['places'],
        summary: '有病例的城市 Cities listed now as having cases',
        response: { 200: Type.Array(CityView) },
      },
    },
    async (_req, reply) => {
      void reply.header('Cache-Control', 'public, max-age=60');
      return places.cities.listed();
    },
  );

  app.post(
    '/v1/cities-with-cases',
    {
      config: { auth: ['officer', 'admin', 'peer'] },
      schema: {
        tags: ['places'],
        summary:
          '发布有病例的城市 List a city with cases in my region; stays and trips there in the last 14 days turn yellow',
        body: CityBody,
        response: {
          201: Type.Object({
            city: CityView,
            rematch: Type.Object({ stays: Type.Integer(), trips: Type.Integer(), facts: Type.Integer() }),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await places.cities.publish(lister(req), req.body)),
  );

  app.post(
    '/v1/cities-with-cases/:id/end',
    {
      config: { auth: ['officer', 'admin', 'peer'] },
      schema: {
        tags: ['places'],
        summary: '解除有病例的城市 End a listing (now, or at a given time)',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { at: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: CityView, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => places.cities.end(lister(req), req.params.id, req.body?.at),
  );

  app.get(
    '/v1/me/itinerary',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary:
          '我的行程卡 My itinerary card: cities with ≥ 4 h in 14 days, * = medium/high risk area now; signed JKMT1 token',
        response: { 200: json('itinerary card: cities of the last 14 days'), ...errors(401, 403, 404) },
      },
    },
    async (req) => places.itinerary.card(residentId(req)),
  );

  app.post(
    '/v1/itinerary/verify',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['verification'],
        summary:
          '核验行程卡 Verify a scanned itinerary card token (the same can be done offline with the trust list)',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 4096 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => places.itinerary.verify(req.body.token),
  );

  app.post(
    '/v1/checkins',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '扫场所码登记 Check in by scanning a venue poster (JKMV1 token)',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 4096 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            checkinId: Type.Integer(),
            at: Type.String(),
            duplicate: Type.Boolean(),
            venue: Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              category: Type.String(),
              address: Type.String(),
            }),
          }),
          ...errors(400, 401, 403, 410),
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await places.checkins.byPoster(residentId(req), req.body.token)),
  );

  venueRoutes(app, places);
}
