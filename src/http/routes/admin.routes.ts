/** Administration: policy versions (validate, preview, publish), devices, signing keys. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { actorOf } from '../auth.ts';
import { errors, json } from '../schemas.ts';

const DEVICE_ROLES = ['scanner', 'venue', 'tester', 'lab', 'carrier', 'peer'] as const;

const DEVICE_VIEW = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  regionCode: Type.Union([Type.String(), Type.Null()]),
  venueId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export function adminRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/policies',
    {
      config: { auth: ['officer', 'admin'] },
      schema: { tags: ['policy'], summary: '策略版本 Policy versions' },
    },
    async () => ({ versions: await ctx.policies.versions(), active: (await ctx.policies.active()).policy }),
  );

  app.post(
    '/v1/policies/preview',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['policy'],
        summary: '策略预演 What a draft policy would change (nothing is written)',
        body: Type.Object({ document: Type.Unknown() }),
        response: { 200: json('residents evaluated and colour transitions'), ...errors(400, 401, 403, 422) },
      },
    },
    async (req) => ctx.statuses.preview(ctx.policies.compileDraft(req.body.document)),
  );

  app.post(
    '/v1/policies',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['policy'],
        summary: '发布策略 Publish and activate a policy version, then recompute everyone',
        body: Type.Object({ document: Type.Unknown() }),
        response: {
          201: json('the version published and the recompute report'),
          ...errors(400, 401, 403, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const policy = await ctx.policies.publish(req.body.document, actorOf(req));
      const result = await ctx.statuses.recomputeAll();
      return reply.status(201).send({ version: policy.version, recomputed: result });
    },
  );

  app.post(
    '/v1/devices',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: '登记设备 Register a device and get its API key (shown once)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role: Type.Union(DEVICE_ROLES.map((r) => Type.Literal(r))),
            regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), apiKey: Type.String() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const d = await ctx.auth.addDevice(b.name, b.role, b.regionCode ?? null, null, actorOf(req));
      return reply.status(201).send(d);
    },
  );

  app.get(
    '/v1/devices',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: '设备列表 Registered devices (never their keys)',
        response: { 200: Type.Object({ devices: Type.Array(DEVICE_VIEW) }), ...errors(401, 403) },
      },
    },
    async () => ({ devices: await ctx.auth.listDevices() }),
  );

  app.post(
    '/v1/devices/:id/revoke',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: "吊销设备密钥 Revoke a device's API key (audited; refused from the next request)",
        params: Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }) }),
        response: { 200: DEVICE_VIEW, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => ctx.auth.revokeDevice(Number(req.params.id), actorOf(req)),
  );

  app.post(
    '/v1/keys/rotate',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: '轮换签名密钥 Rotate the code-signing key',
        response: { 200: Type.Object({ kid: Type.String() }), ...errors(401, 403) },
      },
    },
    async (req) => ({ kid: await ctx.keys.rotate(actorOf(req)) }),
  );
}
