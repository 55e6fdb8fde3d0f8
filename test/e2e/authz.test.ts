/**
 * The route × role authorization table (docs/DESIGN.md §11), generated from the route table: for
 * every route and every principal kind the status the edge gives — 401 without credentials, 403
 * for a role the route does not name, and for a role it names the handler's own answer (anything
 * but the edge's 401/403). The table is docs/AUTHZ.md; a route added, removed or re-declared
 * changes the table and fails this test until the file is regenerated and reviewed:
 * `HC_WRITE_AUTHZ=1 npx vitest run test/e2e/authz.test.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RouteAuth } from '../../src/http/auth.ts';
import { PRINCIPAL_KINDS, worldOfPrincipalsForFile, type PrincipalKind, type World } from './principals.ts';

const DOC = path.resolve(import.meta.dirname, '../../docs/AUTHZ.md');

type Expected = 'allowed' | 401 | 403;

/** What the edge answers `kind` on a route declared `auth`. */
export function expectedFor(auth: RouteAuth, kind: PrincipalKind): Expected {
  if (auth === 'public') return 'allowed';
  if (kind === 'anonymous') return 401;
  return (auth as readonly string[]).includes(kind) ? 'allowed' : 403;
}

function table(routes: World['app']['routeTable']): string {
  const rows = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  const cell = (e: Expected) => (e === 'allowed' ? '✓' : String(e));
  const lines = [
    '# 接口授权表 Route × role authorization',
    '',
    'Generated from the route table by `test/e2e/authz.test.ts`, which checks every cell against the',
    'running server (every route, every principal kind) and fails when a route is added or its',
    'callers change without this file being regenerated: `HC_WRITE_AUTHZ=1 npx vitest run test/e2e/authz.test.ts`.',
    '',
    '✓ = the role may call the route (the handler answers: 2xx, or 4xx for the request itself);',
    '401 = no credentials; 403 = a signed-in caller of another role. Scope checks inside a route',
    "(an officer's region, a venue device's own venue, a resident's own data) come on top and are",
    'tested with each route. Principal kinds: anonymous; resident; staff (officer, admin); devices',
    '(scanner, venue, tester, lab, carrier, peer — a peer is another department or platform).',
    '',
    `| method | route | ${PRINCIPAL_KINDS.join(' | ')} |`,
    `| --- | --- | ${PRINCIPAL_KINDS.map(() => ':-:').join(' | ')} |`,
    ...rows.map(
      (r) =>
        `| ${r.method} | \`${r.url}\` | ${PRINCIPAL_KINDS.map((k) => cell(expectedFor(r.auth, k))).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

describe('route × role authorization table', () => {
  const s = worldOfPrincipalsForFile();

  it('docs/AUTHZ.md is the table of the current route table', () => {
    const now = table(s.w.app.routeTable);
    if (process.env.HC_WRITE_AUTHZ === '1') fs.writeFileSync(DOC, now);
    const committed = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    expect(committed, 'regenerate with HC_WRITE_AUTHZ=1 and review the diff').toBe(now);
  });

  it('every route answers every principal kind as the table says', async () => {
    expect(s.w.app.routeTable.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    // Calls that end the caller's own session go last (each kind ends only its own); revocations
    // name a device, key or code that does not exist, so the test's own principals stay valid.
    const endsSession = (url: string) => url.endsWith('/logout');
    const routes = [...s.w.app.routeTable].sort(
      (a, b) => Number(endsSession(a.url)) - Number(endsSession(b.url)),
    );
    for (const r of routes) {
      const id = /revoke/.test(r.url) ? '999999' : '1';
      const url = r.url.replace(/:[A-Za-z]+/g, id).replace('*', 'index.html');
      for (const kind of PRINCIPAL_KINDS) {
        const res = await s.w.app.inject({
          method: r.method as 'GET',
          url,
          headers: s.w.headers[kind],
          payload: ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) ? {} : undefined,
        });
        const expected = expectedFor(r.auth, kind);
        const edge =
          res.statusCode === 401 || (res.statusCode === 403 && res.json().error?.code === 'AUTH_FORBIDDEN');
        const ok = expected === 'allowed' ? !edge || routeScoped(res) : res.statusCode === expected;
        if (!ok) wrong.push(`${r.method} ${r.url} as ${kind}: ${res.statusCode} (table: ${expected})`);
        // a web app not built answers 503 (web.routes.ts); nothing answers 500
        expect(res.statusCode, `${r.method} ${r.url} as ${kind}`).not.toBe(500);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * A 403 the route itself gives an allowed role for the resource (not the role): its message is
 * not the edge's "this route is for …".
 */
function routeScoped(res: { statusCode: number; json(): { error?: { message?: string } } }): boolean {
  return res.statusCode === 403 && !/^this route is for /.test(res.json().error?.message ?? '');
}
