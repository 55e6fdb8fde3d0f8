/** Sign-in: residents by phone + one-time code, staff by password. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { actorOf } from '../auth.ts';
import { errors } from '../schemas.ts';

export function authRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/auth/otp',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: '发送验证码 Send a one-time code to a registered phone',
        body: Type.Object(
          { phone: Type.String({ minLength: 5, maxLength: 20 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sent: Type.Boolean(),
            expiresInSeconds: Type.Integer(),
            demoCode: Type.Optional(Type.String()),
          }),
          ...errors(400, 429),
        },
      },
    },
    async (req) => ctx.auth.requestOtp(req.body.phone, req.ip),
  );

  app.post(
    '/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: '验证码登录 Sign in with phone and one-time code',
        body: Type.Object(
          {
            phone: Type.String({ minLength: 5, maxLength: 20 }),
            code: Type.String({ pattern: '^[0-9]{6}$' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ accessToken: Type.String(), expiresIn: Type.Integer() }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await ctx.auth.login(b.phone, b.code, req.ip);
      return { accessToken: r.accessToken, expiresIn: r.expiresIn };
    },
  );

  app.post(
    '/v1/auth/staff',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: '工作人员登录 Staff (officer, administrator) sign-in',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            accessToken: Type.String(),
            expiresIn: Type.Integer(),
            role: Type.String(),
            regionPrefix: Type.String(),
            displayName: Type.String(),
            regionName: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (req) => {
      const b = req.body;
      return ctx.auth.staffLogin(b.username, b.password, req.ip);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { auth: ['resident', 'officer', 'admin'] },
      schema: {
        tags: ['auth'],
        summary: '退出登录 Sign out: this access token is refused from now on',
        response: { 204: Type.Null(), ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      await ctx.auth.logout(req.principal!, actorOf(req));
      return reply.status(204).send(null);
    },
  );
}
