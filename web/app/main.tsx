/**
 * Resident page (/app): sign-in, then the health code with what explains it, the itinerary card,
 * self-declaration and venue check-in. Mobile first (360 px), Chinese by default.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { store } from '../shared/api.ts';
import { lang, setLang, useLang } from '../shared/i18n.ts';
import { registerServiceWorker } from '../shared/offline.ts';
import { TopBar } from '../shared/ui.tsx';
import '../shared/base.css';
import './app.css';
import { CheckinPanel } from './checkin.tsx';
import { CodeCard, OfflineBanner } from './code-card.tsx';
import { clearStoredCode, useCode } from './code-state.ts';
import { DeclarePanel } from './declare.tsx';
import { HealthPanel, ItineraryPanel, ReasonsPanel } from './panels.tsx';
import { SignIn } from './sign-in.tsx';

const TOKEN_KEY = 'hc.app.session';

function Home(props: { token: string; onSignOut: () => void }) {
  const { t } = useLang();
  const { current, offline, error, refresh } = useCode(props.token, props.onSignOut);
  // The server recomputes the colour a moment after a declaration or check-in: look twice.
  const changed = () => {
    void refresh();
    setTimeout(() => void refresh(), 1500);
  };
  return (
    <>
      {offline && <OfflineBanner fetchedAt={current?.fetchedAt ?? null} />}
      <main class="page">
        {current ? (
          <>
            <CodeCard stored={current} offline={offline} />
            <ReasonsPanel code={current.code} />
            <HealthPanel code={current.code} token={props.token} />
            <ItineraryPanel code={current.code} token={props.token} />
            <CheckinPanel token={props.token} onDone={changed} />
            <DeclarePanel token={props.token} onDone={changed} />
          </>
        ) : (
          <div class="card">
            {error ? <div class="error">{error}</div> : <p>{t('正在获取健康码…', 'Getting your code…')}</p>}
          </div>
        )}
        <p>
          <button type="button" class="secondary" onClick={props.onSignOut}>
            {t('退出登录', 'Sign out')}
          </button>
        </p>
      </main>
    </>
  );
}

function App() {
  const [token, setToken] = useState<string | null>(() => store.get<string>(TOKEN_KEY));
  const signIn = (tk: string) => {
    store.set(TOKEN_KEY, tk);
    setToken(tk);
  };
  const signOut = () => {
    store.set(TOKEN_KEY, null);
    clearStoredCode();
    setToken(null);
  };
  return (
    <>
      <TopBar title={{ zh: '健康码', en: 'Health Code' }} />
      {token ? <Home token={token} onSignOut={signOut} /> : <SignIn onSignedIn={signIn} />}
    </>
  );
}

// ?lang=en opens the English page directly (links, tests).
const q = new URLSearchParams(location.search).get('lang');
setLang(q === 'en' || q === 'zh' ? q : lang());
const root = document.getElementById('root') as HTMLElement;
root.textContent = ''; // drop the static loading note: render() appends, it does not replace
render(<App />, root);
registerServiceWorker('/app/');
