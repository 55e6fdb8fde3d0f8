/**
 * The three front-ends, built by Vite into web/dist (npm run build:web), served by the platform
 * itself: /app (resident), /scan (scanner), /console (officer console), their hashed assets under
 * /assets (the barcode decoder's .wasm included) and the service worker. Everything is public: the
 * pages hold no data, the API behind them checks who calls. Files are sent pre-compressed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { App } from '../app.ts';

const APPS = ['app', 'scan', 'console'] as const;
/** Apps that work offline after loading register the service worker at <app>/sw.js. */
const WITH_SERVICE_WORKER = new Set(['app', 'scan']);

/** web/dist of this checkout, or HC_WEB_DIST when the bundle lives elsewhere. */
export function webDistDir(): string {
  return (
    process.env.HC_WEB_DIST ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist')
  );
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>前端未构建 Web apps not built</title>
<p>前端尚未构建，请运行 <code>npm run build:web</code>。</p><p>The web apps are not built yet: run <code>npm run build:web</code>.</p>`;

export async function webRoutes(app: App): Promise<void> {
  const root = webDistDir();
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(fastifyStatic, {
      root,
      serve: false,
      preCompressed: true,
      cacheControl: false,
      etag: true,
      lastModified: true,
    });

    const built = () => existsSync(path.join(root, 'app', 'index.html'));
    const page = (reply: FastifyReply, file: string) => {
      if (!built()) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      // Pages are re-checked on every load so a new release shows at once; assets are hashed.
      void reply.header('Cache-Control', 'no-cache');
      return reply.sendFile(file);
    };
    const hide = { hide: true };
    const wildcard = { hide: true, params: Type.Object({ '*': Type.String() }) };

    for (const name of APPS) {
      scope.get(`/${name}`, { config: { auth: 'public' }, schema: hide }, (_req, reply) =>
        reply.redirect(`/${name}/`, 302),
      );
      scope.get(`/${name}/`, { config: { auth: 'public' }, schema: hide }, (_req, reply) =>
        page(reply, `${name}/index.html`),
      );
      scope.get(`/${name}/*`, { config: { auth: 'public' }, schema: wildcard }, (req, reply) => {
        const rest = req.params['*'];
        if (rest === 'sw.js' && WITH_SERVICE_WORKER.has(name)) {
          void reply.header('Cache-Control', 'no-cache');
          return reply.sendFile('sw.js');
        }
        // Unknown deep links open the app; anything that looks like a file is a real 404.
        if (/\.[a-z0-9]+$/i.test(rest)) return reply.callNotFound();
        return page(reply, `${name}/index.html`);
      });
    }

    scope.get('/assets/*', { config: { auth: 'public' }, schema: wildcard }, (req, reply) => {
      const rest = req.params['*'];
      const file = path.resolve(root, 'assets', rest);
      if (!file.startsWith(path.join(root, 'assets') + path.sep) || !existsSync(file))
        return reply.callNotFound();
      if (rest.endsWith('.wasm')) void reply.type('application/wasm');
      void reply.header('Cache-Control', 'public, max-age=31536000, immutable');
      return reply.sendFile(`assets/${rest}`);
    });
  });
}
