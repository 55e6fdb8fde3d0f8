/**
 * The resident's code over time: fetched from GET /v1/me/code, re-fetched before refreshAfter
 * (measured against the server's own issuedAt, so a wrong phone clock does not matter), kept in
 * localStorage so the last code survives a reload without network, and flagged offline when the
 * network or the server is gone.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, NetworkError, store } from '../shared/api.ts';

export interface CodeResponse {
  token: string;
  colour3: number;
  colour5: number;
  kind: string;
  issuedAt: string;
  expiresAt: string;
  refreshAfter: string;
  display: {
    maskedName: string;
    colour: { zh: string; en: string; name: string };
    reasons: Array<{
      rule: string;
      label: { zh: string; en: string };
      release: { zh: string; en: string };
      since: string;
      until: string | null;
    }>;
    vaccineDoses: number;
    lastNegativeTest: string | null;
    nextReviewAt: string | null;
  };
}

export interface StoredCode {
  code: CodeResponse;
  /** local time the code arrived */
  fetchedAt: number;
}

export interface CodeState {
  current: StoredCode | null;
  /** network or server unreachable on the last attempt */
  offline: boolean;
  error: string | null;
  refresh: () => Promise<void>;
}

const KEY = 'hc.app.lastCode';

/** Keeps a fresh code; `onUnauthorized` is called when the session has ended. */
export function useCode(token: string, onUnauthorized: () => void): CodeState {
  const [current, setCurrent] = useState<StoredCode | null>(() => store.get<StoredCode>(KEY));
  const [offline, setOffline] = useState(!navigator.onLine);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const schedule = (ms: number, f: () => void) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(f, Math.max(1000, ms)) as unknown as number;
  };

  const refresh = useCallback(async (): Promise<void> => {
    try {
      const r = await api<CodeResponse>('/v1/me/code', { token });
      if (r.status === 401) return onUnauthorized();
      if (!r.ok) {
        setError(r.message);
        // 5xx is an outage like no network: keep showing the last code
        if (r.status >= 500) setOffline(true);
        schedule(10_000, () => void refresh());
        return;
      }
      const fresh: StoredCode = { code: r.data, fetchedAt: Date.now() };
      store.set(KEY, fresh);
      setCurrent(fresh);
      setOffline(false);
      setError(null);
      const lifetime = Date.parse(r.data.refreshAfter) - Date.parse(r.data.issuedAt);
      schedule(lifetime, () => void refresh());
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      setOffline(true);
      schedule(5_000, () => void refresh());
    }
  }, [token]);

  useEffect(() => {
    void refresh();
    const up = () => void refresh();
    const down = () => setOffline(true);
    const visible = () => document.visibilityState === 'visible' && void refresh();
    addEventListener('online', up);
    addEventListener('offline', down);
    document.addEventListener('visibilitychange', visible);
    return () => {
      clearTimeout(timer.current);
      removeEventListener('online', up);
      removeEventListener('offline', down);
      document.removeEventListener('visibilitychange', visible);
    };
  }, [refresh]);

  return { current, offline, error, refresh };
}

/** Forget the stored code (sign-out). */
export function clearStoredCode(): void {
  store.set(KEY, null);
}
