/**
 * The core journey (issue 2 "done when"): a resident signs in and fetches a code; the token
 * verifies against /v1/trust-list with an independent COSE implementation; tampered, expired and
 * unknown-key tokens are rejected by /v1/verify.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigner, generateSigningKey } from '../../src/adapters/crypto/signing-key.ts';
import { base45Decode, base45Encode } from '../../src/domain/token/base45.ts';
import { issueToken } from '../../src/domain/token/jkm1.ts';
import { ManualClock } from '../../src/ports/clock.port.ts';
import { createTestContext, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { bearer, httpLogin, testServer } from './http.ts';

const require = createRequire(import.meta.url);
const cose = require('cose-js') as {
  sign: { verify(msg: Buffer, verifier: { key: { x: Buffer; y: Buffer } }): Promise<Buffer> };
};

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);

describe('code display and verification over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let scannerKey: string;
  let resident: { id: number; phone: string };
  let token: string;

  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
    await ctx.keys.ensureKey();
    app = await testServer(ctx);
    scannerKey = (await ctx.auth.addDevice('gate 1', 'scanner')).apiKey;
    resident = await createResident(ctx, { name: '王小明' });
    token = await httpLogin(app, ctx, resident.phone);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  const clock = () => ctx.clock as ManualClock;
  const verify = (t: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/verify',
      headers: { 'x-api-key': scannerKey },
      payload: { token: t },
    });

  it('returns a green code with display fields and timings', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^JKM1:[0-9A-Z $%*+\-./:]+$/);
    expect(body).toMatchObject({
      colour3: 0,
      colour5: 0,
      kind: 's',
      display: { maskedName: '王*明', reasons: [] },
    });
    expect(Date.parse(body.expiresAt) - T0).toBe(60_000);
    expect(Date.parse(body.refreshAfter)).toBeLessThan(Date.parse(body.expiresAt));
    // The QR carries no name and no document number.
    const raw = Buffer.from(base45Decode(body.token.slice(5))!);
    expect(raw.includes(Buffer.from('王小明'))).toBe(false);
  });

  it('verifies with an independent COSE implementation using the published trust list', async () => {
    const code = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    const list = (await app.inject({ method: 'GET', url: '/v1/trust-list' })).json();
    expect(list.issuer).toBe('CN-52');
    const key = list.keys[0];
    expect(key.alg).toBe(-7);
    const msg = Buffer.from(base45Decode(code.token.slice(5))!);
    const payload = await cose.sign.verify(msg, {
      key: { x: Buffer.from(key.jwk.x, 'base64url'), y: Buffer.from(key.jwk.y, 'base64url') },
    });
    expect(payload.length).toBeGreaterThan(10);
    // kid = first 8 bytes of SHA-256 of the key's SPKI DER
    const spki = crypto
      .createPublicKey({ key: key.jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'der' });
    expect(Buffer.from(key.kid, 'base64url')).toEqual(
      crypto.createHash('sha256').update(spki).digest().subarray(0, 8),
    );
  });

  it('accepts a fresh token at the scanner and shows the masked name', async () => {
    const code = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    const res = await verify(code.token);
    expect(res.json()).toMatchObject({
      valid: true,
      colour5: 0,
      colour3: 0,
      kind: 's',
      issuer: 'CN-52',
      maskedName: '王*明',
    });
  });

  it('rejects a token with one byte changed', async () => {
    const code = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    const bytes = base45Decode(code.token.slice(5))!;
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0x01; // inside the signature
    const res = (await verify('JKM1:' + base45Encode(bytes))).json();
    expect(res).toMatchObject({ valid: false, reason: 'TOKEN_BAD_SIGNATURE' });
    const bytes2 = base45Decode(code.token.slice(5))!;
    const i = Buffer.from(bytes2).indexOf(Buffer.from('CN-52'));
    bytes2[i + 4] = 0x33; // "CN-53": payload changed
    expect((await verify('JKM1:' + base45Encode(bytes2))).json()).toMatchObject({
      valid: false,
      reason: 'TOKEN_BAD_SIGNATURE',
    });
  });

  it('rejects an expired token and accepts it within the 30 s skew', async () => {
    const code = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    clock().advance(60_000 + 20_000);
    expect((await verify(code.token)).json()).toMatchObject({ valid: true });
    clock().advance(15_000);
    expect((await verify(code.token)).json()).toMatchObject({ valid: false, reason: 'TOKEN_EXPIRED' });
    clock().set(T0);
  });

  it('rejects a token signed by an unknown key, and malformed text', async () => {
    const foreign = createSigner(generateSigningKey(-7));
    const iat = Math.floor(T0 / 1000);
    const forged = issueToken(foreign, {
      iss: 'CN-52',
      sub: 'AAAAAAAAAAAAAAAA',
      iat,
      exp: iat + 60,
      hc: { c: 0, c5: 0, k: 's' },
    });
    expect((await verify(forged)).json()).toMatchObject({ valid: false, reason: 'TOKEN_UNKNOWN_KID' });
    expect((await verify('JKM2:ABC')).json()).toMatchObject({ valid: false, reason: 'TOKEN_BAD_PREFIX' });
    expect((await verify('JKM1:%%%%')).json()).toMatchObject({ valid: false, reason: 'TOKEN_MALFORMED' });
  });

  it('keeps tokens of a rotated key valid and lists both keys', async () => {
    const before = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    await ctx.keys.rotate('test');
    const after = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    const list = (await app.inject({ method: 'GET', url: '/v1/trust-list' })).json();
    expect(list.keys).toHaveLength(2);
    expect((await verify(before.token)).json()).toMatchObject({ valid: true });
    expect((await verify(after.token)).json()).toMatchObject({ valid: true });
    expect(before.token.slice(0, 30)).not.toBe(after.token.slice(0, 30));
  });

  it('turns the code red within the same flow when a close-contact fact arrives', async () => {
    await ctx.facts.record({
      personId: resident.id,
      type: 'close_contact',
      source: 'health.close-contacts',
      sourceRecordId: 'cc-1',
      eventTime: T0 - 3_600_000,
      data: { list: '卫健委密接名单' },
    });
    await ctx.statuses.recompute([resident.id]);
    const body = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json();
    expect(body).toMatchObject({ colour5: 3, colour3: 2 });
    expect(body.display.reasons[0].rule).toBe('red.close_contact');
    expect(body.display.reasons[0].label.zh).toBe('密切接触者');
    expect((await verify(body.token)).json()).toMatchObject({ valid: true, colour5: 3, colour3: 2 });
  });
});
