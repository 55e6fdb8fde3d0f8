/** The audit log's signed checkpoints (docs/SECURITY.md §Audit log), for administrators to keep elsewhere. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import { errors } from '../schemas.ts';

const Checkpoint = Type.Object({
  seq: Type.Integer(),
  hash: Type.String({ description: 'SHA-256 of the row, hex' }),
  at: Type.String(),
  kid: Type.String({ description: 'signing key id, hex' }),
  alg: Type.Integer({ description: 'COSE algorithm: -7 ES256, -8 EdDSA' }),
  signature: Type.String({ description: 'over "hc-audit-checkpoint/v1\\n<seq>\\n<hash>\\n<at>", hex' }),
});

export function auditRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/audit/checkpoints',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: '审计日志签名检查点 Signed checkpoints of the audit log head, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ checkpoints: Type.Array(Checkpoint) }), ...errors(401, 403) },
      },
    },
    async (req) => ({ checkpoints: await ctx.audit.checkpoints(req.query.limit ?? 100) }),
  );
}
