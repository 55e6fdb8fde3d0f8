/**
 * Phone + one-time code sign-in. In demo mode the server returns the code with the request
 * (demoCode) and lists demo residents; both are offered so a visitor can try the app at once.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError } from '../shared/api.ts';
import { colourOf } from '../shared/colours.ts';
import { useLang } from '../shared/i18n.ts';

interface DemoResident {
  phone: string;
  colour: string;
  note: string;
}

export function SignIn(props: { onSignedIn: (token: string) => void }) {
  const { t, tx } = useLang();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [demo, setDemo] = useState<DemoResident[]>([]);

  useEffect(() => {
    api<{ residents?: DemoResident[] }>('/v1/demo/accounts')
      .then((r) => r.ok && setDemo(r.data?.residents ?? []))
      .catch(() => undefined);
  }, []);

  const fail = (err: unknown) =>
    setError(
      err instanceof NetworkError ? t('网络不可用，请稍后再试', 'No network, try again later') : String(err),
    );

  const requestCode = async (p = phone) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ demoCode?: string }>('/v1/auth/otp', { body: { phone: p.trim() } });
      if (!r.ok) return setError(r.message);
      setSent(true);
      if (r.data?.demoCode) setCode(r.data.demoCode);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const login = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ accessToken: string }>('/v1/auth/login', {
        body: { phone: phone.trim(), code: code.trim() },
      });
      if (!r.ok)
        return setError(r.status === 401 ? t('验证码错误或已过期', 'Wrong or expired code') : r.message);
      props.onSignedIn(r.data.accessToken);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page">
      <form class="card" onSubmit={(e) => void login(e)}>
        <h2>{t('手机号登录', 'Sign in with your phone')}</h2>
        <label for="phone">{t('手机号', 'Phone number')}</label>
        <input
          id="phone"
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <p>
          <button
            type="button"
            class="secondary"
            disabled={busy || phone.trim().length < 5}
            onClick={() => void requestCode()}
          >
            {sent ? t('重新获取验证码', 'Send the code again') : t('获取验证码', 'Send me a code')}
          </button>
        </p>
        <label for="otp">{t('验证码（6 位）', 'One-time code (6 digits)')}</label>
        <input
          id="otp"
          name="otp"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <p>
          <button type="submit" disabled={busy || !/^\d{6}$/.test(code.trim())}>
            {t('登录', 'Sign in')}
          </button>
        </p>
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
      </form>
      {demo.length > 0 && (
        <section class="card">
          <h2>{t('演示账号', 'Demo residents')}</h2>
          <ul class="demo-list">
            {demo.map((d) => {
              const c = colourOf(['green', 'yellow', 'orange', 'red', 'purple'].indexOf(d.colour));
              return (
                <li key={d.phone}>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setPhone(d.phone);
                      void requestCode(d.phone);
                    }}
                  >
                    <span style={{ color: c.fg }} aria-hidden="true">
                      {c.icon}
                    </span>{' '}
                    {d.phone} · {tx(c.label)}
                  </button>
                  <span class="small muted"> {d.note}</span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </main>
  );
}
