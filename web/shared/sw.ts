/**
 * Service worker for /app and /scan: keeps the page shell and its assets (the decoder's .wasm
 * included) in Cache Storage so a page reloaded without network still opens. API calls are never
 * cached here; the apps keep their own last code / trust list in localStorage.
 */
// Minimal typings: the DOM and webworker libs cannot both be loaded in one TypeScript program.
interface ExtEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEv extends ExtEvent {
  request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface MessageEv extends ExtEvent {
  data: unknown;
}
interface SwScope {
  registration: { scope: string };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(t: 'install' | 'activate', f: (e: ExtEvent) => void): void;
  addEventListener(t: 'fetch', f: (e: FetchEv) => void): void;
  addEventListener(t: 'message', f: (e: MessageEv) => void): void;
}
const sw = self as unknown as SwScope;
const CACHE = 'hc-web-v1';

sw.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const shell = sw.registration.scope;
      const res = await fetch(shell, { cache: 'no-store' });
      if (res.ok) {
        const html = await res.clone().text();
        await cache.put(shell, res);
        const urls = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
        await cache.addAll(urls).catch(() => undefined);
      }
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

// The page sends the asset URLs it loaded (lazy chunks, the .wasm) so those are kept too.
sw.addEventListener('message', (e) => {
  const urls = (e.data as { cache?: unknown } | null)?.cache;
  if (Array.isArray(urls))
    e.waitUntil(
      caches
        .open(CACHE)
        .then((c) => c.addAll(urls.filter((u): u is string => typeof u === 'string')).catch(() => undefined)),
    );
});

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/v1/')) return;
  if (url.pathname.startsWith('/assets/')) {
    // Content-hashed: the cached copy is always right.
    e.respondWith(
      caches.match(e.request).then(
        (hit) =>
          hit ??
          fetch(e.request).then(async (res) => {
            if (res.ok) await (await caches.open(CACHE)).put(e.request, res.clone());
            return res;
          }),
      ),
    );
    return;
  }
  if (e.request.mode === 'navigate') {
    // Network first so a new release shows at once; the cached shell when offline.
    e.respondWith(
      fetch(e.request)
        .then(async (res) => {
          if (res.ok) await (await caches.open(CACHE)).put(sw.registration.scope, res.clone());
          return res;
        })
        .catch(async () => (await caches.match(sw.registration.scope)) ?? Response.error()),
    );
  }
});
