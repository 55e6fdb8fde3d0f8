import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config: where the platform listens and what it exposes', () => {
  it('demo mode (the embedded default) listens on loopback only, with docs and metrics on its one listener', () => {
    const c = loadConfig({});
    expect([c.demo, c.host, c.docs, c.metrics]).toEqual([true, '127.0.0.1', true, { kind: 'public' }]);
  });

  it('HC_NATS_PREFIX names this deployment on a shared NATS server (subjects and streams); plain names without it', async () => {
    expect(loadConfig({}).natsPrefix).toBe('');
    expect(loadConfig({ HC_NATS_PREFIX: 'hc_topology' }).natsPrefix).toBe('hc_topology');
    expect(() => loadConfig({ HC_NATS_PREFIX: 'a.b' })).toThrow(ConfigError);
    expect(() => loadConfig({ HC_NATS_PREFIX: 'x>' })).toThrow(ConfigError);
    const { natsNames } = await import('./adapters/bus/nats-names.ts');
    expect(natsNames('')).toEqual({ subjectPrefix: '', streamPrefix: '' });
    expect(natsNames('hc_ci')).toEqual({ subjectPrefix: 'hc_ci.', streamPrefix: 'hc_ci_' });
  });

  it('HOST opens demo mode to the network only when said so', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '' }).host).toBe('127.0.0.1');
  });

  it('HC_TRUST_PROXY names the proxies whose X-Forwarded-For is believed; never "true"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ HC_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy).toBe('127.0.0.1,10.0.0.0/8');
    expect(() => loadConfig({ HC_TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });

  it('production (a database, not demo) listens on every interface; no docs; metrics on loopback, PORT + 1000', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://db/hc' });
    expect([c.demo, c.host, c.docs]).toEqual([false, '0.0.0.0', false]);
    expect(c.metrics).toEqual({ kind: 'separate', host: '127.0.0.1', port: 9080 });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/hc', PORT: '8081' }).metrics).toEqual({
      kind: 'separate',
      host: '127.0.0.1',
      port: 9081,
    });
    expect(loadConfig({ HC_DEMO: '0', PORT: '0' }).metrics).toEqual({
      kind: 'separate',
      host: '127.0.0.1',
      port: 0,
    });
  });

  it('HC_DOCS, HC_METRICS, HC_METRICS_PORT and HC_METRICS_HOST override the defaults', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/hc', HC_DOCS: '1' }).docs).toBe(true);
    expect(loadConfig({ HC_DOCS: 'off' }).docs).toBe(false);
    expect(loadConfig({ HC_METRICS: 'off' }).metrics).toEqual({ kind: 'off' });
    expect(loadConfig({ HC_METRICS_PORT: '9464' }).metrics).toEqual({
      kind: 'separate',
      host: '127.0.0.1',
      port: 9464,
    });
    expect(loadConfig({ HC_DEMO: '0', HC_METRICS_HOST: '10.0.0.5' }).metrics).toEqual({
      kind: 'separate',
      host: '10.0.0.5',
      port: 9080,
    });
  });

  it('refuses values it cannot use, with a message naming the variable', () => {
    expect(() => loadConfig({ HC_DEMO: '0', PORT: '65000' })).toThrow(ConfigError);
    expect(() => loadConfig({ HC_DEMO: '0', PORT: '65000' })).toThrow(/HC_METRICS_PORT/);
    expect(() => loadConfig({ HC_METRICS_PORT: '70000' })).toThrow(/HC_METRICS_PORT/);
    expect(() => loadConfig({ HC_DOCS: 'maybe' })).toThrow(/HC_DOCS/);
  });
});
