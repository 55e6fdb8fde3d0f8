/** Request and response schemas of the testing service's API (/testing/v1). */
import { Type } from '@sinclair/typebox';
import { TUBE_KINDS } from '../../../domain/nat/nat.ts';

export const tags = ['testing'];
export const Time = Type.Union([Type.Integer(), Type.String({ format: 'date-time' })]);
export const toMs = (t: number | string) => (typeof t === 'number' ? t : Date.parse(t));
export const Barcode = Type.String({ minLength: 4, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' });
export const TubeKindSchema = Type.Union(
  (Object.keys(TUBE_KINDS) as Array<keyof typeof TUBE_KINDS>).map((k) => Type.Literal(k)),
);

export const LabOutcomes = Type.Object({
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
export const SiteSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  regionCode: Type.String(),
  address: Type.String(),
});
export const SlotSchema = Type.Object({
  id: Type.Integer(),
  siteId: Type.Integer(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  capacity: Type.Integer(),
  booked: Type.Integer(),
  remaining: Type.Integer(),
});
export const BookingSchema = Type.Object({
  id: Type.Integer(),
  slotId: Type.Integer(),
  siteId: Type.Integer(),
  siteName: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  status: Type.String(),
});
