/**
 * Self-declaration (自主申报, the GB/T 38963 declaration interface): temperature, symptoms and an
 * optional trip. The answer becomes a fact on the server, and the code refreshes to show it.
 */
import { useState } from 'preact/hooks';
import { api, NetworkError, routeMissing } from '../shared/api.ts';
import { useLang } from '../shared/i18n.ts';

const SYMPTOMS: Array<[string, string, string]> = [
  ['fever', '发热', 'fever'],
  ['cough', '咳嗽', 'cough'],
  ['sore_throat', '咽痛', 'sore throat'],
  ['fatigue', '乏力', 'fatigue'],
  ['loss_of_smell', '嗅觉减退', 'loss of smell'],
  ['diarrhoea', '腹泻', 'diarrhoea'],
];

export function DeclarePanel(props: { token: string; onDone: () => void }) {
  const { t } = useLang();
  const [temp, setTemp] = useState('36.5');
  const [symptoms, setSymptoms] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [date, setDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const temperature = Number(temp);
    if (!Number.isFinite(temperature) || temperature < 34 || temperature > 43) {
      setMsg({ ok: false, text: t('请填写 34–43 之间的体温', 'Enter a temperature between 34 and 43') });
      return;
    }
    const body: Record<string, unknown> = { temperature, symptoms };
    if (from && to) body.trips = [{ from, to, ...(date ? { date } : {}) }];
    setBusy(true);
    try {
      const r = await api('/v1/me/declarations', { token: props.token, body });
      if (r.ok) {
        setMsg({ ok: true, text: t('已提交，感谢申报', 'Submitted, thank you') });
        setSymptoms([]);
        props.onDone();
      } else if (routeMissing(r)) setMsg({ ok: false, text: t('申报服务暂未开通', 'Declarations are not available yet') });
      else setMsg({ ok: false, text: r.message });
    } catch (err) {
      setMsg({ ok: false, text: err instanceof NetworkError ? t('离线，联网后再提交', 'Offline: submit when back online') : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="h-declare">
      <h2 id="h-declare">{t('健康申报', 'Health declaration')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label for="temp">{t('体温 (°C)', 'Temperature (°C)')}</label>
        <input id="temp" type="number" inputMode="decimal" step="0.1" min="34" max="43" value={temp} onInput={(e) => setTemp(e.currentTarget.value)} />
        <fieldset class="symptoms">
          <legend>{t('症状（可多选）', 'Symptoms (any)')}</legend>
          {SYMPTOMS.map(([key, zh, en]) => (
            <label key={key} class="check">
              <input
                type="checkbox"
                checked={symptoms.includes(key)}
                onChange={(e) => setSymptoms((s) => (e.currentTarget.checked ? [...s, key] : s.filter((x) => x !== key)))}
              />
              {t(zh, en)}
            </label>
          ))}
        </fieldset>
        <details>
          <summary>{t('申报行程（可选）', 'Declare a trip (optional)')}</summary>
          <label for="trip-from">{t('出发城市', 'From city')}</label>
          <input id="trip-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          <label for="trip-to">{t('到达城市', 'To city')}</label>
          <input id="trip-to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          <label for="trip-date">{t('日期', 'Date')}</label>
          <input id="trip-date" type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </details>
        <p>
          <button type="submit" disabled={busy}>
            {t('提交申报', 'Submit')}
          </button>
        </p>
        {msg && <div class={msg.ok ? 'ok' : 'error'} role="status">{msg.text}</div>}
      </form>
    </section>
  );
}
