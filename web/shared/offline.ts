/** Online/offline tracking and service-worker registration shared by the resident and scanner apps. */
import { useEffect, useState } from 'preact/hooks';

/** navigator.onLine, updated on the browser's online/offline events. */
export function useOnline(): boolean {
  const [online, set] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => set(true);
    const down = () => set(false);
    addEventListener('online', up);
    addEventListener('offline', down);
    return () => {
      removeEventListener('online', up);
      removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/** Registers /sw.js for this app's scope and asks it to keep every asset this page loaded. */
export function registerServiceWorker(scope: string): void {
  if (!('serviceWorker' in navigator) || !isSecureContext) return;
  navigator.serviceWorker
    .register(`${scope}sw.js`, { scope })
    .then(async () => {
      const reg = await navigator.serviceWorker.ready;
      const send = () => {
        const urls = performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name))
          .filter((u) => u.origin === location.origin && u.pathname.startsWith('/assets/'))
          .map((u) => u.pathname);
        reg.active?.postMessage({ cache: urls });
      };
      send();
      // Lazy chunks (the decoder) load later: send again after a while.
      setTimeout(send, 15_000);
    })
    .catch(() => undefined);
}
