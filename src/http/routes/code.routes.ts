/** The resident's code and profile; the trust list; verification for scanner devices. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { residentId } from '../auth.ts';
import type { Metrics } from '../metrics.ts';
import { CodeResponseSchema, TrustListSchema, VerifyResponseSchema, errors } from '../schemas.ts';
import { AppError } from '../../services/app-error.ts';
import { colour5Name } from '../../domain/colour.ts';

export function codeRoutes(app: App, ctx: AppContext, metrics: Metrics): void {
  app.get(
    '/v1/me/code',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '我的健康码 My health code (signed JKM1 token, re-fetch after refreshAfter)',
        // Optional phone position (亮码即定位, docs/PLACES.md): stored as a stay and matched to risk areas.
        querystring: Type.Object({
          lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
          lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
          accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
        }),
        response: { 200: CodeResponseSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.lat !== undefined && q.lon !== undefined)
        await ctx.places.checkins.codeLocation(residentId(req), q.lat, q.lon, q.accuracy ?? null);
      const code = await ctx.codes.issue(residentId(req), 's');
      metrics.codesIssued.labels(colour5Name(code.colour5)).inc();
      return code;
    },
  );

  app.get(
    '/v1/me',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '我的信息 My registered details (unmasked, only to myself)',
        response: {
          200: Type.Object({
            name: Type.String(),
            maskedName: Type.String(),
            docType: Type.Integer(),
            docMasked: Type.String(),
            sex: Type.Union([Type.String(), Type.Null()]),
            birthDate: Type.Union([Type.String(), Type.Null()]),
            phone: Type.Union([Type.String(), Type.Null()]),
            regionCode: Type.Union([Type.String(), Type.Null()]),
            regionName: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = await ctx.residents.profile(residentId(req));
      if (!p) throw new AppError('PERSON_NOT_FOUND', 404, 'no such resident');
      return p;
    },
  );

  app.get(
    '/v1/me/audit',
    {
      config: { auth: ['resident'] },
      schema: {
        tags: ['resident'],
        summary: '谁查看了我的信息 Who read my data',
        response: {
          200: Type.Array(Type.Object({ at: Type.String(), actor: Type.String(), action: Type.String() })),
          ...errors(401, 403),
        },
      },
    },
    async (req) => ctx.audit.forPerson(residentId(req)),
  );

  app.get(
    '/v1/trust-list',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['verification'],
        summary: '信任列表 Public keys that sign this issuer’s codes',
        response: { 200: TrustListSchema },
      },
    },
    async (_req, reply) => {
      void reply.header('Cache-Control', 'public, max-age=300');
      return ctx.keys.trustList();
    },
  );

  app.post(
    '/v1/verify',
    {
      config: { auth: ['scanner', 'venue', 'officer', 'admin'] },
      schema: {
        tags: ['verification'],
        summary: '验码 Verify a scanned code (scanner devices)',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 4096 }) },
          { additionalProperties: false },
        ),
        response: { 200: VerifyResponseSchema, ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const r = await ctx.verify.verify(req.body.token);
      // A venue's own scanner checks the resident in (docs/PLACES.md §Venues).
      const p = req.principal;
      if (p?.kind === 'device' && p.role === 'venue' && p.venueId !== null && r.valid && r.subject) {
        await ctx.places.checkins.byVenueScan(p.deviceId, p.venueId, r.subject);
      }
      delete r.subject;
      return r;
    },
  );
}
