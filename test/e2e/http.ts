/** Builds the HTTP server over a test context for end-to-end tests via app.inject. */
import type { App, RouteModule } from '../../src/http/app.ts';
import { buildServer } from '../../src/http/server.ts';
import type { AppContext } from '../../src/roles/context.ts';
import type { MemorySmsGateway } from '../../src/adapters/sms/memory-sms-gateway.ts';

export async function testServer(ctx: AppContext, extraRoutes: RouteModule[] = []): Promise<App> {
  const { app } = await buildServer(ctx, { logger: false, extraRoutes });
  return app;
}

/** Signs a resident in over HTTP, reading the one-time code from the phone's messages. */
export async function httpLogin(
  app: App,
  ctx: { smsInbox: MemorySmsGateway },
  phone: string,
): Promise<string> {
  // each phone from an address of its own (198.18.0.0/15, for tests), so signing many residents in
  // stays under the per-client limits that one attacker would hit
  const n = Number(phone.slice(-4));
  const remoteAddress = `198.18.${(n >> 8) & 255}.${n & 255}`;
  const otp = await app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone }, remoteAddress });
  if (otp.statusCode !== 200) throw new Error(`otp failed ${otp.statusCode} ${otp.body}`);
  const code = ctx.smsInbox.lastCode(phone);
  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { phone, code },
    remoteAddress,
  });
  if (login.statusCode !== 200) throw new Error(`login failed ${login.statusCode} ${login.body}`);
  return (login.json() as { accessToken: string }).accessToken;
}

export const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
