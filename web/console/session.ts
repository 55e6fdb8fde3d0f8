/** The officer's session: bearer token, role and region prefix, kept for this browser tab. */
import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError, type ApiResult } from '../shared/api.ts';

export interface Session {
  token: string;
  role: string;
  regionPrefix: string;
  username: string;
  /** the staff member's name as screens show it (absent in sessions saved before it was sent) */
  displayName?: string;
  /** the region's name (贵阳市); null for the whole country */
  regionName?: string | null;
}

const ROLE_NAMES: Record<string, { zh: string; en: string }> = {
  officer: { zh: '防疫人员', en: 'Health officer' },
  admin: { zh: '系统管理员', en: 'Administrator' },
};

/** The role as screens show it, Chinese first: 防疫人员 Health officer. */
export function roleName(role: string): string {
  const r = ROLE_NAMES[role] ?? { zh: '工作人员', en: 'Staff' };
  return `${r.zh} ${r.en}`;
}

/** Who is signed in, as the header shows it: name, role and region by name, never a username or code. */
export function whoParts(s: Session): string[] {
  return [s.displayName, roleName(s.role), s.regionName ?? '全部地区 All regions'].filter(
    (x): x is string => x !== undefined && x !== '',
  );
}

/** The region by name for texts (本辖区 when the name is unknown): never the code. */
export function regionText(s: Session): { zh: string; en: string } {
  if (s.regionName) return { zh: s.regionName, en: s.regionName };
  if (s.regionPrefix === '') return { zh: '全部地区', en: 'all regions' };
  return { zh: '本辖区', en: 'your region' };
}

const KEY = 'hc.console.session';

export function loadSession(): Session | null {
  try {
    const v = sessionStorage.getItem(KEY);
    return v ? (JSON.parse(v) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the session lasts until reload */
  }
}

export type Load<T> =
  { state: 'loading' } | { state: 'ok'; data: T } | { state: 'absent' } | { state: 'error'; message: string };

/** GET with the officer's token; 404 NOT_FOUND (route not deployed yet) becomes 'absent'. */
export function useGet<T>(
  path: string | null,
  session: Session,
  deps: unknown[] = [],
): [Load<T>, () => void] {
  const [s, set] = useState<Load<T>>({ state: 'loading' });
  const [n, bump] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    set({ state: 'loading' });
    api<T>(path, { token: session.token })
      .then((r: ApiResult<T>) => {
        if (!live) return;
        if (r.ok) set({ state: 'ok', data: r.data });
        else if (r.status === 404 && r.code === 'NOT_FOUND') set({ state: 'absent' });
        else set({ state: 'error', message: r.message });
      })
      .catch(
        (e: unknown) =>
          live &&
          set({
            state: 'error',
            message: e instanceof NetworkError ? '网络不可用 Network unavailable' : String(e),
          }),
      );
    return () => {
      live = false;
    };
  }, [path, session.token, n, ...deps]);
  return [s, () => bump((x) => x + 1)];
}

/** An array inside a response: the response itself or its first array-valued known field. */
export function listOf<T>(
  data: unknown,
  keys: string[] = ['items', 'rows', 'list', 'results', 'features'],
): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const k of keys) {
      const v = (data as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}
