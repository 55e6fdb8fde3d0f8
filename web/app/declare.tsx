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
  ['shortness_of_breath', '气促', 'shortness of breath'],
  ['loss_of_smell_taste', '嗅觉味觉减退', 'loss of smell or taste'],
  ['fatigue', '乏力', 'fatigue'],
  ['diarrhoea', '腹泻', 'diarrhoea'],
];

// Prefecture-level cities residents travel between most (GB/T 2260 codes).
const CITIES: Array<[string, string, string]> = [
  ['520100', '贵阳', 'Guiyang'],
  ['520200', '六盘水', 'Liupanshui'],
  ['520300', '遵义', 'Zunyi'],
  ['520400', '安顺', 'Anshun'],
  ['520500', '毕节', 'Bijie'],
  ['520600', '铜仁', 'Tongren'],
  ['110100', '北京', 'Beijing'],
  ['310100', '上海', 'Shanghai'],
  ['440100', '广州', 'Guangzhou'],
  ['440300', '深圳', 'Shenzhen'],
  ['500100', '重庆', 'Chongqing'],
  ['510100', '成都', 'Chengdu'],
  ['530100', '昆明', 'Kunming'],
  ['430100', '长沙', 'Changsha'],
  ['420100', '武汉', 'Wuhan'],
  ['610100', '西安', "Xi'an"],
];

export function DeclarePanel(props: { token: string; onDone: () => void }) {
  const { t } = useLang();
  const [temp, setTemp] = useState('36.5');
  const [symptoms, setSymptoms] = useState<string[]>([]);
  const [mode, setMode] = useState('rail');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [departed, setDeparted] = useState('');
  const [arrived, setArrived] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const temperature = Number(temp);
    if (!Number.isFinite(temperature) || temperature < 34 || temperature > 43) {
      setMsg({ ok: false, text: t('请填写 34–43 之间的体温', 'Enter a temperature between 34 and 43') });
      return;
    }
    // clientId makes a retry after a lost answer harmless (the server dedupes on it).
    const body: Record<string, unknown> = {
      clientId: crypto.randomUUID?.() ?? String(Date.now()),
      temperature,
      symptoms,
    };
    if (from && to && departed && arrived) {
      body.trips = [
        {
          mode,
          fromRegion: from,
          toRegion: to,
          departedAt: new Date(departed).toISOString(),
          arrivedAt: new Date(arrived).toISOString(),
        },
      ];
    }
    setBusy(true);
    try {
      const r = await api('/v1/me/declarations', { token: props.token, body });
      if (r.ok) {
        setMsg({ ok: true, text: t('已提交，感谢申报', 'Submitted, thank you') });
        setSymptoms([]);
        props.onDone();
      } else if (routeMissing(r))
        setMsg({ ok: false, text: t('申报服务暂未开通', 'Declarations are not available yet') });
      else setMsg({ ok: false, text: r.message });
    } catch (err) {
      setMsg({
        ok: false,
        text:
          err instanceof NetworkError
            ? t('离线，联网后再提交', 'Offline: submit when back online')
            : String(err),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="h-declare">
      <h2 id="h-declare">{t('健康申报', 'Health declaration')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label for="temp">{t('体温 (°C)', 'Temperature (°C)')}</label>
        <input
          id="temp"
          type="number"
          inputMode="decimal"
          step="0.1"
          min="34"
          max="43"
          value={temp}
          onInput={(e) => setTemp(e.currentTarget.value)}
        />
        <fieldset class="symptoms">
          <legend>{t('症状（可多选）', 'Symptoms (any)')}</legend>
          {SYMPTOMS.map(([key, zh, en]) => (
            <label key={key} class="check">
              <input
                type="checkbox"
                checked={symptoms.includes(key)}
                onChange={(e) =>
                  setSymptoms((s) => (e.currentTarget.checked ? [...s, key] : s.filter((x) => x !== key)))
                }
              />
              {t(zh, en)}
            </label>
          ))}
        </fieldset>
        <details>
          <summary>{t('申报行程（可选）', 'Declare a trip (optional)')}</summary>
          <label for="trip-mode">{t('交通方式', 'By')}</label>
          <select id="trip-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
            <option value="rail">{t('火车', 'Train')}</option>
            <option value="flight">{t('飞机', 'Flight')}</option>
            <option value="road">{t('公路', 'Road')}</option>
          </select>
          <label for="trip-from">{t('出发城市', 'From city')}</label>
          <CitySelect id="trip-from" value={from} onChange={setFrom} />
          <label for="trip-to">{t('到达城市', 'To city')}</label>
          <CitySelect id="trip-to" value={to} onChange={setTo} />
          <label for="trip-dep">{t('出发时间', 'Departed')}</label>
          <input
            id="trip-dep"
            type="datetime-local"
            value={departed}
            onInput={(e) => setDeparted(e.currentTarget.value)}
          />
          <label for="trip-arr">{t('到达时间', 'Arrived')}</label>
          <input
            id="trip-arr"
            type="datetime-local"
            value={arrived}
            onInput={(e) => setArrived(e.currentTarget.value)}
          />
        </details>
        <p>
          <button type="submit" disabled={busy}>
            {t('提交申报', 'Submit')}
          </button>
        </p>
        {msg && (
          <div class={msg.ok ? 'ok' : 'error'} role="status">
            {msg.text}
          </div>
        )}
      </form>
    </section>
  );
}

function CitySelect(props: { id: string; value: string; onChange: (v: string) => void }) {
  const { t } = useLang();
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{t('请选择', 'Choose')}</option>
      {CITIES.map(([code, zh, en]) => (
        <option key={code} value={code}>
          {t(zh, en)}
        </option>
      ))}
    </select>
  );
}
