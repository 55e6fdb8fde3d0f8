import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSmsGateway } from './webhook-sms-gateway.ts';

describe('SMS webhook gateway', () => {
  const received: Array<{ auth: string | undefined; body: unknown }> = [];
  let status = 200;
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.statusCode = status;
        res.end('{"echo":"whatever"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts {phone, text} with the bearer token, and fails on a non-2xx answer', async () => {
    const gw = new WebhookSmsGateway(url, 'secret-token');
    await gw.deliver({ phone: '13900000001', text: '验证码 123456' });
    expect(received.at(-1)).toEqual({
      auth: 'Bearer secret-token',
      body: { phone: '13900000001', text: '验证码 123456' },
    });
    status = 503;
    await expect(gw.deliver({ phone: '13900000001', text: 'x' })).rejects.toThrow('HTTP 503');
    await expect(
      new WebhookSmsGateway('http://127.0.0.1:1/sms', undefined).deliver({ phone: '1', text: 'x' }),
    ).rejects.toThrow();
  });
});
