/**
 * scripts/topology (services mode only): starts the roles as separate processes on PostgreSQL,
 * Redis and NATS after `hc migrate`, each answers what it serves, and `scripts/topology stop`
 * stops every one of them.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { USE_SERVICES } from '../context.ts';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts/topology');

describe.skipIf(!USE_SERVICES)('scripts/topology', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-topology-test-'));
  const suffix = crypto.randomBytes(3).toString('hex');
  const base = 20_000 + Math.floor(Math.random() * 20_000);
  const env = {
    ...process.env,
    HC_TOPOLOGY_DB: `hc_topo_t_${suffix}`,
    HC_TOPOLOGY_TESTING_DB: `hc_topo_tt_${suffix}`,
    REDIS_URL: 'redis://127.0.0.1:6379/5', // --fresh empties it: not the default topology's
    LOG_LEVEL: 'warn',
  };
  // asynchronous: a test worker blocked for minutes misses vitest's own calls
  const topo = (...args: string[]) =>
    new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        script,
        [...args, '--dir', dir],
        { env, encoding: 'utf8', timeout: 900_000 },
        (_err, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });

  afterAll(async () => {
    await topo('stop');
    for (const db of [env.HC_TOPOLOGY_DB, env.HC_TOPOLOGY_TESTING_DB])
      execFileSync('psql', [
        '-q',
        'postgres://postgres@127.0.0.1:5432/postgres',
        '-c',
        `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`,
      ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has --help', () => {
    const r = spawnSync(script, ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scripts/topology start');
  });

  it('starts two api, worker, testing and companion after hc migrate; each serves its role; stop ends them', async () => {
    const r = await topo('start', '--detach', '--fresh', '--base-port', String(base));
    expect(r.stderr + r.stdout).toContain('topology ready');
    expect(r.stdout).toMatch(/platform applied: 0001_core.sql/);
    const pids = ['api-1', 'api-2', 'worker', 'testing', 'companion'].map((n) =>
      Number(fs.readFileSync(path.join(dir, 'pids', `${n}.pid`), 'utf8')),
    );
    const u = (p: number, rest: string) => `http://127.0.0.1:${base + p}${rest}`;
    // both api processes serve the API and the trust list
    for (const p of [0, 1]) {
      expect((await fetch(u(p, '/readyz'))).status).toBe(200);
      expect((await fetch(u(p, '/v1/trust-list'))).status).toBe(200);
    }
    // worker and companion: health checks only
    for (const [p, role] of [
      [2, 'worker'],
      [4, 'companion'],
    ] as const) {
      expect(await (await fetch(u(p, '/healthz'))).json()).toEqual({ status: 'ok', role });
      expect((await fetch(u(p, '/v1/trust-list'))).status).toBe(404);
    }
    // testing: its own API on its own database
    expect((await fetch(u(3, '/testing/v1/healthz'))).status).toBe(200);
    expect((await fetch(u(3, '/testing/v1/sites'))).status).toBe(200);
    // the staff accounts the script made can sign in
    const staff = JSON.parse(fs.readFileSync(path.join(dir, 'staff.json'), 'utf8')) as {
      admin: { username: string; password: string };
    };
    const login = await fetch(u(0, '/v1/auth/staff'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(staff.admin),
    });
    expect(login.status).toBe(200);
    const s = await topo('stop');
    expect(s.stdout).toContain('topology stopped');
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 900_000);
});
