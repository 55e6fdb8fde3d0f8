/**
 * Security headers on every response (helmet, computed once — see securityHeaders): a Content-Security-Policy the three web
 * apps (/app, /scan, /console) and the API docs (/docs) run under in Chromium (test/browser), no
 * framing anywhere (frame-ancestors 'none' and X-Frame-Options: DENY — the officer console above
 * all must not be framed for clickjacking), X-Content-Type-Options: nosniff, Referrer-Policy:
 * no-referrer (paths carry person ids and tokens in places), and helmet's other defaults.
 *
 * What the policy allows, and why (docs/SECURITY.md "Browser security headers"):
 * - script-src 'self' 'wasm-unsafe-eval': the apps are Vite bundles from /assets, no inline script;
 *   the scanner's barcode decoder (ZXing) is WebAssembly compiled from /assets/*.wasm.
 * - worker-src 'self' blob:: the service worker (/app/sw.js, /scan/sw.js) and MapLibre's map
 *   workers, which it starts from a blob: URL.
 * - img-src 'self' data: blob:: the icon is a data: URL; maps and QR codes draw into blobs.
 * - style-src 'self': no inline style either (Preact and MapLibre set styles through the CSSOM, which
 *   the policy doesn't restrict); /docs adds the hash of the one <style> element Swagger UI injects.
 * - connect-src 'self': the apps talk only to the platform that served them.
 * No upgrade-insecure-requests: the platform is also run over plain HTTP on loopback (demo mode),
 * TLS is terminated in front of it in production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { App } from './app.ts';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  childSrc: ["'self'", 'blob:'],
  manifestSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  frameSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
} as const;

/**
 * Swagger UI (/docs) injects one <style> element; /docs allows exactly that content by its hash.
 * Tied to the locked @fastify/swagger-ui version: test/browser/docs.test.ts fails when it changes.
 */
const SWAGGER_UI_STYLE_HASHES = ["'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"];

/** The CSP of /docs: the platform's, with Swagger UI's style hash (for @fastify/swagger-ui's transformStaticCSP). */
export function docsCsp(header: string): string {
  return header.replace(/style-src 'self'/, `style-src 'self' ${SWAGGER_UI_STYLE_HASHES.join(' ')}`);
}

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // Same-origin pages and resources; the trust list and the API are fetched with CORS, which
  // Cross-Origin-Resource-Policy does not restrict.
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: false,
};

/**
 * The headers helmet sets with these options, computed once. @fastify/helmet builds a new helmet
 * (parsing every CSP directive again) on each request: 6 % of the api's CPU on code display, the
 * busiest route (bench/code-display, --cpu-prof, 2026-12-06). Without nonces the headers are the same
 * for every request, so helmet itself computes them here and each response gets a copy.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

export async function registerSecurityHeaders(app: App): Promise<void> {
  const headers = securityHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
}
