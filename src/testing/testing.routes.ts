/**
 * The testing service's HTTP API under /testing/v1: sites and slots (officers), bookings
 * (residents), collection (tester devices), receipts and results (lab devices).
 * Device protocol for collection: docs/TESTING-SERVICE.md.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../http/app.ts';
import { actorOf, residentId } from '../http/auth.ts';
import { errors } from '../http/schemas.ts';
import { AppError } from '../services/app-error.ts';
import { pendingCount } from './outbox.repository.ts';
import type { TestingService } from './testing.module.ts';
import { RESULTS, TUBE_KINDS } from './testing.domain.ts';

const Time = Type.Union([Type.Integer(), Type.String({ format: 'date-time' })]);
const toMs = (t: number | string) => (typeof t === 'number' ? t : Date.parse(t));
const Barcode = Type.String({ minLength: 4, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' });

const CollectionBody = Type.Object({
  siteId: Type.Optional(Type.Integer({ minimum: 1 })),
  tubes: Type.Optional(
    Type.Array(
      Type.Object({
        barcode: Barcode,
        kind: Type.Union(Object.keys(TUBE_KINDS).map((k) => Type.Literal(k))),
      }),
      { maxItems: 5000 },
    ),
  ),
  items: Type.Array(
    Type.Object({
      tube: Barcode,
      code: Type.Optional(Type.String({ maxLength: 2000 })),
      subject: Type.Optional(Type.String({ maxLength: 64 })),
      doc: Type.Optional(Type.Object({ type: Type.Integer(), number: Type.String({ maxLength: 40 }) })),
      collectedAt: Type.Optional(Time),
      ref: Type.Optional(Type.String({ maxLength: 64 })),
    }),
    { minItems: 1, maxItems: 5000 },
  ),
});
const LabOutcomes = Type.Object({
  items: Type.Array(
    Type.Object({
      tube: Type.String(),
      status: Type.String(),
      code: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      retestOrders: Type.Optional(Type.Integer()),
    }),
  ),
});
const SiteSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  regionCode: Type.String(),
  address: Type.String(),
});
const SlotSchema = Type.Object({
  id: Type.Integer(),
  siteId: Type.Integer(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  capacity: Type.Integer(),
  booked: Type.Integer(),
  remaining: Type.Integer(),
});
const BookingSchema = Type.Object({
  id: Type.Integer(),
  slotId: Type.Integer(),
  siteId: Type.Integer(),
  siteName: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  status: Type.String(),
});

/** The lab's identity in results: its device. */
function labOf(actor: string): string {
  return actor.replace(/^device:/, 'lab-');
}

/** Registers the /testing/v1 routes on a server that has the auth hook and error mapper. */
export function testingRoutes(app: App, t: TestingService): void {
  const tags = ['testing'];

  app.get(
    '/testing/v1/healthz',
    { config: { auth: 'public' }, schema: { tags, summary: '检测服务状态 Testing service health' } },
    async () => ({
      ok: true,
      outboxPending: await pendingCount(t.db),
      collectionBacklog: t.writer.backlog,
    }),
  );

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
    async (req) => t.bookings.sites(req.query.region ?? ''),
  );

  app.post(
    '/testing/v1/sites',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags,
        summary: '新增采样点 Add a testing site',
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
      return reply.status(201).send(await t.bookings.addSite(b.name, b.regionCode, b.address ?? ''));
    },
  );

  app.post(
    '/testing/v1/sites/:id/slots',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags,
        summary: '设置时段与容量 Add or resize time slots',
        params: Type.Object({ id: Type.Integer() }),
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
    async (req) => {
      const b = req.body;
      return t.bookings.addSlots(
        req.params.id,
        b.slots.map((s) => ({ startsAt: toMs(s.startsAt), endsAt: toMs(s.endsAt), capacity: s.capacity })),
      );
    },
  );

  app.get(
    '/testing/v1/sites/:id/slots',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: '可预约时段 Open slots of a site',
        params: Type.Object({ id: Type.Integer() }),
        response: { 200: Type.Array(SlotSchema) },
      },
    },
    async (req) => t.bookings.slots(req.params.id),
  );

  app.post(
    '/testing/v1/bookings',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '预约采样 Book a slot',
        body: Type.Object({ slotId: Type.Integer() }),
        response: { 201: BookingSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await t.bookings.book(`p:${residentId(req)}`, req.body.slotId)),
  );

  app.get(
    '/testing/v1/bookings',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '我的预约 My bookings (testing service view)',
        response: { 200: Type.Array(BookingSchema) },
      },
    },
    async (req) => t.bookings.forPerson(`p:${residentId(req)}`),
  );

  app.delete(
    '/testing/v1/bookings/:id',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '取消预约 Cancel a booking',
        params: Type.Object({ id: Type.Integer() }),
        response: { 200: BookingSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => t.bookings.cancel(`p:${residentId(req)}`, req.params.id),
  );

  app.post(
    '/testing/v1/collections',
    {
      config: { auth: ['tester'] },
      schema: {
        tags,
        summary: '采样登记 Register scans (single or batch; answered after a durable commit)',
        body: CollectionBody,
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            duplicates: Type.Integer(),
            rejected: Type.Integer(),
            items: Type.Array(
              Type.Object({
                ref: Type.Optional(Type.String()),
                status: Type.String(),
                message: Type.Optional(Type.String()),
              }),
            ),
          }),
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (req) => {
      const b = req.body;
      const p = req.principal;
      if (p?.kind !== 'device') throw new AppError('AUTH_FORBIDDEN', 403, 'collector devices only');
      return t.collection.collect({
        deviceId: p.deviceId,
        siteId: b.siteId ?? null,
        tubes: (b.tubes ?? []) as never,
        items: b.items,
      });
    },
  );

  app.post(
    '/testing/v1/lab/receipts',
    {
      config: { auth: ['lab'] },
      schema: {
        tags,
        summary: '实验室接收 Lab receipt of tubes',
        body: Type.Object({ tubes: Type.Array(Barcode, { minItems: 1, maxItems: 5000 }) }),
        response: { 200: LabOutcomes },
      },
    },
    async (req) => ({
      items: await t.lab.receive(labOf(actorOf(req)), req.body.tubes),
    }),
  );

  app.post(
    '/testing/v1/lab/results',
    {
      config: { auth: ['lab'] },
      schema: {
        tags,
        summary:
          '检测结果 Results per tube ((lab, tube, version) is unique; a correction is the next version)',
        body: Type.Object({
          results: Type.Array(
            Type.Object({
              tube: Barcode,
              result: Type.Union(RESULTS.map((r) => Type.Literal(r))),
              version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            }),
            { minItems: 1, maxItems: 2000 },
          ),
        }),
        response: { 200: LabOutcomes },
      },
    },
    async (req) => ({
      items: await t.lab.report(labOf(actorOf(req)), req.body.results),
    }),
  );

  app.get(
    '/testing/v1/retest-orders',
    {
      config: { auth: ['tester', 'lab', 'officer', 'admin'] },
      schema: {
        tags,
        summary: '待复检 Open retest orders',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }),
      },
    },
    async (req) => t.lab.openRetests(req.query.limit ?? 500),
  );
}
