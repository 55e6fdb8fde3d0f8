/** Venues: registration (officers), poster and QR, counts for the operator, scans by the venue's device. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../app.ts';
import { AppError } from '../../../services/app-error.ts';
import type { Places } from '../../../services/places/places.ts';
import { venueView } from '../../../services/places/venue.service.ts';
import { actorOf, staffOf } from '../../auth.ts';
import { Binary, errors, json, Ok, VerifyResponseSchema } from '../../schemas.ts';

const OFFICERS = ['officer', 'admin'] as const;
const MANAGERS = ['officer', 'admin', 'venue'] as const;
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function venueRoutes(app: App, places: Places): void {
  const managed = (req: Pick<FastifyRequest, 'principal'> & { params: Static<typeof IdParams> }) =>
    places.venues.manageable(req.principal, req.params.id);

  app.post(
    '/v1/venues',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['venues'],
        summary: '登记场所 Register a venue in my region; returns its operator device API key once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 120 }),
            category: Type.String({
              minLength: 1,
              maxLength: 60,
              description: '类别 e.g. 超市 supermarket, 餐馆 restaurant',
            }),
            address: Type.String({ minLength: 1, maxLength: 300 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            adminCode: Type.String({ pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$' }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: json('the venue and its operator device key (shown once)'),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const s = staffOf(req);
      return reply
        .status(201)
        .send(await places.venues.register({ actor: actorOf(req), regionPrefix: s.regionPrefix }, req.body));
    },
  );

  app.get(
    '/v1/venues',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['venues'],
        summary: '我辖区的场所 Venues of my region',
        response: { 200: json('venues'), ...errors(401, 403) },
      },
    },
    async (req) => places.venues.inRegion(staffOf(req).regionPrefix),
  );

  app.get(
    '/v1/venues/:id',
    {
      config: { auth: MANAGERS },
      schema: {
        tags: ['venues'],
        summary: '场所信息 A venue I manage',
        params: IdParams,
        response: { 200: json('the venue'), ...errors(401, 403, 404) },
      },
    },
    async (req) => venueView(await managed(req)),
  );

  app.get(
    '/v1/venues/:id/stats',
    {
      config: { auth: MANAGERS },
      schema: {
        tags: ['venues'],
        summary: '登记人数 Check-in counts per day (counts only, never names)',
        params: IdParams,
        response: { 200: json('check-ins per day'), ...errors(401, 403, 404) },
      },
    },
    async (req) => places.venues.stats(await managed(req)),
  );

  app.get(
    '/v1/venues/:id/poster.svg',
    {
      config: { auth: MANAGERS },
      schema: {
        tags: ['venues'],
        summary: '场所码海报 Printable A4 poster (SVG) with the signed venue QR',
        params: IdParams,
        response: { 200: Type.String({ description: 'SVG' }), ...errors(401, 403, 404, 410) },
      },
    },
    async (req, reply) =>
      reply.type('image/svg+xml; charset=utf-8').send(await places.venues.posterSvg(await managed(req))),
  );

  app.get(
    '/v1/venues/:id/qr.png',
    {
      config: { auth: MANAGERS },
      schema: {
        tags: ['venues'],
        summary: '场所码图片 The venue QR alone (PNG)',
        params: IdParams,
        response: { 200: Binary, ...errors(401, 403, 404, 410) },
      },
    },
    async (req, reply) => reply.type('image/png').send(await places.venues.qrPng(await managed(req))),
  );

  app.post(
    '/v1/venues/:id/reprint',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['venues'],
        summary: '重新生成场所码 Replace the poster (old posters stop working)',
        params: IdParams,
        response: { 200: Ok, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      await places.venues.reprint(actorOf(req), await managed(req));
      return { ok: true };
    },
  );

  app.post(
    '/v1/venues/:id/active',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['venues'],
        summary: '停用/启用场所 Close or reopen a venue',
        params: IdParams,
        body: Type.Object({ active: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await places.venues.setActive(actorOf(req), await managed(req), req.body.active);
      return { ok: true };
    },
  );

  app.post(
    '/v1/venues/:id/scan',
    {
      config: { auth: ['venue'] },
      schema: {
        tags: ['venues'],
        summary:
          '场所扫码登记 The venue device scans a resident code: verify + check in (POST /v1/verify does the same)',
        params: IdParams,
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 4096 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Intersect([VerifyResponseSchema, Type.Object({ checkedIn: Type.Boolean() })]),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const v = await managed(req);
      const p = req.principal;
      if (p?.kind !== 'device') throw new AppError('AUTH_FORBIDDEN', 403, 'venue devices only');
      return places.checkins.scanAtVenue(p.deviceId, v.id, req.body.token);
    },
  );
}
