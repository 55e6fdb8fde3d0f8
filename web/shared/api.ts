/**
 * Fetch wrapper for the platform's JSON API. HTTP errors come back as values (status + body) so
 * screens can treat 404 of a not-yet-built feature as "not available"; only a network failure
 * throws (NetworkError), which is how the apps notice they are offline.
 */
export class NetworkError extends Error {}

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data: T;
  /** the server's error message when not ok */
  message: string;
  /** the server's stable error code when not ok (NOT_FOUND: no such route on this server) */
  code: string;
}

/** True when the server has no such route at all (a feature not deployed yet). */
export function routeMissing(r: ApiResult<unknown>): boolean {
  return r.status === 404 && r.code === 'NOT_FOUND';
}

export interface ApiOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  apiKey?: string | null;
  timeoutMs?: number;
}

/** Calls the API; throws NetworkError only when the server could not be reached. */
export async function api<T = unknown>(path: string, o: ApiOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.timeoutMs ?? 10_000);
  let res: Response;
  try {
    res = await fetch(path, {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: ctl.signal,
      cache: 'no-store',
    });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
  let data: unknown = null;
  const text = await res.text().catch(() => '');
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  const err = (data as { error?: { code?: unknown; message?: unknown }; message?: unknown } | null) ?? {};
  const message = res.ok ? '' : String(err.error?.message ?? err.message ?? res.statusText);
  const code = res.ok ? '' : String(err.error?.code ?? res.status);
  return { ok: res.ok, status: res.status, data: data as T, message, code };
}

/** localStorage get/set that never throws (private browsing, quota). */
export const store = {
  get<T>(key: string): T | null {
    try {
      const v = localStorage.getItem(key);
      return v === null ? null : (JSON.parse(v) as T);
    } catch {
      return null;
    }
  },
  set(key: string, value: unknown): void {
    try {
      if (value === null || value === undefined) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* storage full or disabled: the app still works for this session */
    }
  },
};
