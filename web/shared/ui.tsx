/** Small pieces shared by the three apps: top bar with language switch, colour badge, empty state. */
import type { ComponentChildren } from 'preact';
import { colourOf } from './colours.ts';
import { setLang, useLang } from './i18n.ts';

/** Dark top bar with the app title and the 中文/English switch. */
export function TopBar(props: { title: { zh: string; en: string }; children?: ComponentChildren }) {
  const { lang, tx } = useLang();
  return (
    <header class="topbar">
      <h1>{tx(props.title)}</h1>
      {props.children}
      <button
        class="lang"
        type="button"
        onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
        title="切换语言 Switch language"
      >
        {lang === 'zh' ? 'English' : '中文'}
      </button>
    </header>
  );
}

/** A colour shown as icon + text on the colour: never colour alone. */
export function ColourBadge(props: { c5: number | null | undefined; large?: boolean }) {
  const { tx } = useLang();
  const c = colourOf(props.c5);
  return (
    <span
      class="badge"
      style={{ background: c.fg, fontSize: props.large ? '1.3rem' : undefined }}
      data-colour={c.name}
    >
      <span aria-hidden="true">{c.icon}</span>
      {tx(c.label)}
    </span>
  );
}

/** Placeholder for an empty list or a feature the server does not offer yet. */
export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}
