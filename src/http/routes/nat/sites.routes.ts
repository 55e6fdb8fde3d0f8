/** Testing sites and their slots: officers manage them inside their region; anyone may read. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../app.ts';
import { actorOf, staffOf } from '../../auth.ts';
import { errors } from '../../schemas.ts';
import type { NatApi } from './nat-api.ts';
import { SiteSchema, SlotSchema, Time, tags, toMs } from './nat.schemas.ts';

export function natSiteRoutes(app: App, nat: NatApi): void {
  const officer = (req: Parameters<typeof staffOf>[0]) => ({
    actor: actorOf(req),
    regionPrefix: staffOf(req).regionPrefix,
  });

  app.get(
    '/testing/v1/sites',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '采样点 Testing sites',
        querystring: Type.Object({ region: Type.Optional(Type.String({ pattern: '^\\d{0,6}$' })) }),
        response: { 200: Type.Array(SiteSchema) },
      },
    },
    async (req) => nat.sites.sites(req.query.region ?? ''),
  );

  app.post(
    '/testing/v1/sites',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags,
        summary: '新增采样点 Add a testing site (inside your region)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          regionCode: Type.String({ pattern: '^\\d{6}$' }),
          address: Type.Optional(Type.String({ maxLength: 400 })),
        }),
        response: { 201: SiteSchema, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      return reply.status(201).send(
        await nat.sites.addSite(officer(req), {
          name: b.name,
          regionCode: b.regionCode,
          address: b.address ?? '',
        }),
      );
    },
  );

  app.post(
    '/testing/v1/sites/:id/slots',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags,
        summary: '设置时段与容量 Add or resize time slots (sites inside your region)',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        body: Type.Object({
          slots: Type.Array(
            Type.Object({
              startsAt: Time,
              endsAt: Time,
              capacity: Type.Integer({ minimum: 0, maximum: 100000 }),
            }),
            { minItems: 1, maxItems: 500 },
          ),
        }),
        response: { 200: Type.Array(SlotSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) =>
      nat.sites.addSlots(
        officer(req),
        req.params.id,
        req.body.slots.map((s) => ({
          startsAt: toMs(s.startsAt),
          endsAt: toMs(s.endsAt),
          capacity: s.capacity,
        })),
      ),
  );

  app.get(
    '/testing/v1/sites/:id/slots',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '可预约时段 Open slots of a site',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: Type.Array(SlotSchema) },
      },
    },
    async (req) => nat.sites.slots(req.params.id),
  );
}
