/**
 * Officer console (/console): staff sign-in, then colour counts over time, risk areas on a map,
 * key populations, response tasks, person lookup and policy versions. Desktop first, still usable
 * at 360 px.
 */
import { Fragment, render } from 'preact';
import { useState } from 'preact/hooks';
import { api, NetworkError } from '../shared/api.ts';
import { fmtTime, lang, setLang, useLang } from '../shared/i18n.ts';
import { TopBar } from '../shared/ui.tsx';
import '../shared/base.css';
import './console.css';
import { Dashboard } from './dashboard.tsx';
import { KeyPopulations, Tasks } from './lists.tsx';
import { Lookup } from './lookup.tsx';
import { RiskMap } from './risk-map.tsx';
import { listOf, loadSession, saveSession, useGet, whoParts, type Session } from './session.ts';

const TABS = [
  ['dashboard', '总览', 'Overview'],
  ['map', '风险区', 'Risk areas'],
  ['kp', '重点人群', 'Key populations'],
  ['tasks', '处置任务', 'Tasks'],
  ['lookup', '人员查询', 'Lookup'],
  ['policies', '策略版本', 'Policies'],
] as const;
type Tab = (typeof TABS)[number][0];

function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const { t } = useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{
        accessToken: string;
        role: string;
        regionPrefix: string;
        displayName: string;
        regionName: string | null;
      }>('/v1/auth/staff', {
        body: { username: username.trim(), password },
      });
      if (!r.ok)
        return setError(r.status === 401 ? t('用户名或密码错误', 'Wrong username or password') : r.message);
      props.onSignedIn({
        token: r.data.accessToken,
        role: r.data.role,
        regionPrefix: r.data.regionPrefix,
        username: username.trim(),
        displayName: r.data.displayName,
        regionName: r.data.regionName,
      });
    } catch (err) {
      setError(err instanceof NetworkError ? t('网络不可用', 'Network unavailable') : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="console-page narrow">
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h2>{t('工作人员登录', 'Staff sign-in')}</h2>
        <label for="username">{t('用户名', 'Username')}</label>
        <input
          id="username"
          autoComplete="username"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="password">{t('密码', 'Password')}</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p>
          <button type="submit" disabled={busy || !username || !password}>
            {t('登录', 'Sign in')}
          </button>
        </p>
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
      </form>
    </main>
  );
}

function Policies(props: { session: Session }) {
  const { t } = useLang();
  const [res] = useGet<{
    versions: Array<{ version: string; active: boolean; createdBy: string; createdAt: string }>;
    active: { rules?: Array<{ id: string; colour5?: string }> };
  }>('/v1/policies', props.session);
  return (
    <section aria-labelledby="h-pol">
      <h2 id="h-pol">{t('策略版本', 'Policy versions')}</h2>
      {res.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {res.state === 'error' && <div class="error">{res.message}</div>}
      {res.state === 'ok' && (
        <>
          <table data-testid="policy-table">
            <thead>
              <tr>
                <th>{t('版本', 'Version')}</th>
                <th>{t('状态', 'State')}</th>
                <th>{t('发布人', 'By')}</th>
                <th>{t('时间', 'At')}</th>
              </tr>
            </thead>
            <tbody>
              {res.data.versions.map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>{v.active ? `● ${t('生效中', 'active')}` : t('历史', 'past')}</td>
                  <td>{v.createdBy}</td>
                  <td>{fmtTime(v.createdAt, false)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('当前规则', 'Active rules')}</h3>
          <ul class="small">
            {listOf<{ id: string; colour5?: string }>(res.data.active, ['rules']).map((r) => (
              <li key={r.id}>
                {r.id}
                {r.colour5 ? ` → ${r.colour5}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Console(props: { session: Session; onSignOut: () => void }) {
  const { t } = useLang();
  const initial = (new URLSearchParams(location.search).get('tab') ?? 'dashboard') as Tab;
  const [tab, setTab] = useState<Tab>(TABS.some((x) => x[0] === initial) ? initial : 'dashboard');
  const go = (x: Tab) => {
    setTab(x);
    history.replaceState(null, '', `?tab=${x}`);
  };
  return (
    <div class="layout">
      <nav class="tabs" aria-label={t('功能', 'Sections')}>
        {TABS.map(([id, zh, en]) => (
          <button
            key={id}
            type="button"
            class={tab === id ? 'tab active' : 'tab'}
            aria-current={tab === id ? 'page' : undefined}
            onClick={() => go(id)}
            data-tab={id}
          >
            {t(zh, en)}
          </button>
        ))}
        <div class="who small" data-testid="who">
          <span class="who-line">
            {whoParts(props.session).map((part, i) => (
              <Fragment key={i}>
                {i > 0 && ' · '}
                <span class="who-part">{part}</span>
              </Fragment>
            ))}
          </span>
          <button type="button" class="secondary" onClick={props.onSignOut}>
            {t('退出', 'Sign out')}
          </button>
        </div>
      </nav>
      <main class="console-page">
        {tab === 'dashboard' && <Dashboard session={props.session} />}
        {tab === 'map' && <RiskMap session={props.session} />}
        {tab === 'kp' && <KeyPopulations session={props.session} />}
        {tab === 'tasks' && <Tasks session={props.session} />}
        {tab === 'lookup' && <Lookup session={props.session} />}
        {tab === 'policies' && <Policies session={props.session} />}
      </main>
    </div>
  );
}

function App() {
  const [session, setSession] = useState(loadSession());
  const set = (s: Session | null) => {
    saveSession(s);
    setSession(s);
  };
  return (
    <>
      <TopBar title={{ zh: '防疫工作台', en: 'Officer console' }} />
      {session ? <Console session={session} onSignOut={() => set(null)} /> : <SignIn onSignedIn={set} />}
    </>
  );
}

const q = new URLSearchParams(location.search).get('lang');
setLang(q === 'en' || q === 'zh' ? q : lang());
const root = document.getElementById('root') as HTMLElement;
root.textContent = ''; // drop the static loading note: render() appends, it does not replace
render(<App />, root);
