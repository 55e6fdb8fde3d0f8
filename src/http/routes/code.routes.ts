/**
 * The resident's code and profile; the trust list; verification for scanner devices; long-lived
 * codes (paper, offline, vehicle) issued, listed and revoked by officers inside their region and by
 * admins; signing keys revoked by admins (docs/DESIGN.md §4).
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { REVOCATION_REASONS } from '../../ports/issued-code-store.port.ts';
import { actorOf, residentId, staffOf } from '../auth.ts';
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
      // Short: a revoked code is refused offline only once scanners have the list that names it.
      void reply.header('Cache-Control', 'public, max-age=60');
      return ctx.trustList.current();
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

  codeAdminRoutes(app, ctx);
}

const OFFICERS = ['officer', 'admin'] as const;
const Reason = Type.Union(REVOCATION_REASONS.map((r) => Type.Literal(r)));
const IssuedCodeSchema = Type.Object({
  codeId: Type.String(),
  kind: Type.String(),
  issuedAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revokedReason: Type.Union([Type.String(), Type.Null()]),
});

function codeAdminRoutes(app: App, ctx: AppContext): void {
  const by = (req: Parameters<typeof staffOf>[0]) => ({
    actor: actorOf(req),
    regionPrefix: staffOf(req).regionPrefix,
  });

  app.post(
    '/v1/persons/:id/codes',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary:
          '签发纸质码(补打) Issue a long-lived code; the holder’s previous one of that kind is revoked (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          { kind: Type.Union([Type.Literal('p'), Type.Literal('o'), Type.Literal('v')]) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            token: Type.String(),
            codeId: Type.String(),
            kind: Type.String(),
            colour5: Type.Integer(),
            maskedName: Type.String(),
            issuedAt: Type.String(),
            expiresAt: Type.String(),
            revokedCodeIds: Type.Array(Type.String()),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const code = await ctx.codes.issue(req.params.id, req.body.kind, by(req));
      return reply.status(201).send({
        token: code.token,
        codeId: code.codeId ?? '',
        kind: code.kind,
        colour5: code.colour5,
        maskedName: code.display.maskedName,
        issuedAt: code.issuedAt,
        expiresAt: code.expiresAt,
        revokedCodeIds: code.revokedCodeIds ?? [],
      });
    },
  );

  app.get(
    '/v1/persons/:id/codes',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '长效码列表 A holder’s unexpired long-lived codes (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Array(IssuedCodeSchema), ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const codes = await ctx.codeRevocations.liveOf(req.params.id, by(req));
      await ctx.audit.append({ actor: actorOf(req), action: 'code.list', personId: req.params.id });
      return codes.map((c) => ({
        codeId: c.codeId,
        kind: c.kind,
        issuedAt: new Date(c.issuedAt).toISOString(),
        expiresAt: new Date(c.expiresAt).toISOString(),
        revokedAt: c.revokedAt === null ? null : new Date(c.revokedAt).toISOString(),
        revokedReason: c.revokedReason,
      }));
    },
  );

  app.post(
    '/v1/persons/:id/codes/revoke',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '作废全部长效码 Revoke all of a holder’s live long-lived codes (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Type.Object({ revoked: Type.Array(Type.String()) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      revoked: await ctx.codeRevocations.revoke({ personId: req.params.id }, by(req), req.body.reason),
    }),
  );

  app.post(
    '/v1/codes/revoke',
    {
      config: { auth: OFFICERS },
      schema: {
        tags: ['officer'],
        summary: '作废单个码 Revoke one long-lived code, by its text or its code id (audited)',
        body: Type.Union([
          Type.Object(
            { token: Type.String({ minLength: 5, maxLength: 4096 }), reason: Reason },
            { additionalProperties: false },
          ),
          Type.Object(
            { codeId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }), reason: Reason },
            { additionalProperties: false },
          ),
        ]),
        response: { 200: Type.Object({ revoked: Type.Array(Type.String()) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const b = req.body;
      const target = 'token' in b ? { token: b.token } : { codeId: b.codeId };
      return { revoked: await ctx.codeRevocations.revoke(target, by(req), b.reason) };
    },
  );

  app.post(
    '/v1/keys/:kid/revoke',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: '吊销签名密钥 Revoke a signing key: every code it signed is refused (audited)',
        params: Type.Object({ kid: Type.String({ pattern: '^[A-Za-z0-9_-]{11}$' }) }),
        response: {
          200: Type.Object({ kid: Type.String(), revoked: Type.Boolean() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const revoked = await ctx.keys.revoke(req.params.kid, actorOf(req));
      if (!revoked) throw new AppError('KEY_NOT_FOUND', 404, 'no such signing key');
      ctx.trustList.invalidate();
      return { kid: req.params.kid, revoked };
    },
  );
}
