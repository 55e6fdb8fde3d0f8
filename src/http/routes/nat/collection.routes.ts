/** Sample collection by collector devices (device protocol: docs/TESTING-SERVICE.md). */
import { Type } from '@sinclair/typebox';
import type { App } from '../../app.ts';
import { errors } from '../../schemas.ts';
import { AppError } from '../../../services/app-error.ts';
import type { NatApi } from './nat-api.ts';
import { Barcode, Time, TubeKindSchema, tags } from './nat.schemas.ts';

const CollectionBody = Type.Object({
  siteId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  tubes: Type.Optional(
    Type.Array(Type.Object({ barcode: Barcode, kind: TubeKindSchema }), { maxItems: 5000 }),
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

export function natCollectionRoutes(app: App, nat: NatApi): void {
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
      return nat.collection.collect({
        deviceId: p.deviceId,
        siteId: b.siteId ?? null,
        tubes: b.tubes ?? [],
        items: b.items,
      });
    },
  );
}
