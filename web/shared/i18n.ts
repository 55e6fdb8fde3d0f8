/**
 * Two languages: Chinese by default, English on request. The choice is kept in localStorage and
 * every component that calls useLang() re-renders when it changes.
 */
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'zh' | 'en';
export interface Text {
  zh: string;
  en: string;
}

const KEY = 'hc.lang';
let current: Lang = readLang();
const listeners = new Set<(l: Lang) => void>();

function readLang(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** The active language. */
export function lang(): Lang {
  return current;
}

/** Switch language everywhere and remember it. */
export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(KEY, l);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const f of listeners) f(l);
}

/** Re-render on language change; returns a translator. */
export function useLang(): {
  lang: Lang;
  t: (zh: string, en: string) => string;
  tx: (t: Text | null | undefined) => string;
} {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return {
    lang: l,
    t: (zh, en) => (l === 'zh' ? zh : en),
    tx: (x) => (x ? (l === 'zh' ? x.zh || x.en : x.en || x.zh) : ''),
  };
}

/** Local date-time text, e.g. 2026-11-26 21:04:05. */
export function fmtTime(d: Date | number | string, withSeconds = true): string {
  const x = new Date(d);
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${x.getFullYear()}-${p(x.getMonth() + 1)}-${p(x.getDate())} ${p(x.getHours())}:${p(x.getMinutes())}`;
  return withSeconds ? `${s}:${p(x.getSeconds())}` : s;
}

/** "3 分钟前" / "3 min ago" style age of a past moment. */
export function fmtAge(ms: number, l: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return l === 'zh' ? `${s} 秒前` : `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return l === 'zh' ? `${m} 分钟前` : `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return l === 'zh' ? `${h} 小时 ${m % 60} 分钟前` : `${h} h ${m % 60} min ago`;
  return l === 'zh' ? `${Math.floor(h / 24)} 天前` : `${Math.floor(h / 24)} days ago`;
}
