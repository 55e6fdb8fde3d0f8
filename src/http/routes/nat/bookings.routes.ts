/** Residents' bookings of testing slots. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../app.ts';
import { residentId } from '../../auth.ts';
import { errors } from '../../schemas.ts';
import type { NatApi } from './nat-api.ts';
import { BookingSchema, tags } from './nat.schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export function natBookingRoutes(app: App, nat: NatApi): void {
  app.post(
    '/testing/v1/bookings',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '预约采样 Book a slot',
        body: Type.Object({ slotId: Id }),
        response: { 201: BookingSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await nat.bookings.book(`p:${residentId(req)}`, req.body.slotId)),
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
    async (req) => nat.bookings.forPerson(`p:${residentId(req)}`),
  );

  app.delete(
    '/testing/v1/bookings/:id',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '取消预约 Cancel a booking',
        params: Type.Object({ id: Id }),
        response: { 200: BookingSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => nat.bookings.cancel(`p:${residentId(req)}`, req.params.id),
  );
}
