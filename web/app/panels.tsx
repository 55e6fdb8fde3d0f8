/**
 * Panels beside the code: vaccination and latest test, why this colour (reasons and when it can
 * turn green), and the 14-day itinerary card. Routes another team is still building may answer
 * 404; the panel then says the service is not available instead of failing.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError } from '../shared/api.ts';
import { fmtTime, useLang } from '../shared/i18n.ts';
import { Empty } from '../shared/ui.tsx';
import type { CodeResponse } from './code-state.ts';
import { QrSvg } from './qr-svg.tsx';

type Load<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'absent' }
  | { state: 'offline' }
  | { state: 'error'; message: string };

/** GET a resident route; 404/501 mean "not offered by this server yet". */
export function useResource<T>(path: string, token: string, deps: unknown[] = []): Load<T> {
  const [s, set] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    api<T>(path, { token })
      .then((r) => {
        if (!live) return;
        if (r.ok) set({ state: 'ok', data: r.data });
        else if (r.status === 404 || r.status === 501) set({ state: 'absent' });
        else set({ state: 'error', message: r.message });
      })
      .catch(
        (e: unknown) =>
          live &&
          set(e instanceof NetworkError ? { state: 'offline' } : { state: 'error', message: String(e) }),
      );
    return () => {
      live = false;
    };
  }, [path, token, ...deps]);
  return s;
}

interface TestResult {
  result?: string;
  outcome?: string;
  collectedAt?: string;
  reportedAt?: string;
  resultAt?: string;
  at?: string;
  site?: string;
}

function listOf<T>(data: unknown, keys: string[]): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const k of keys) {
      const v = (data as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

/** Masked name, vaccine doses, latest test with its time. */
export function HealthPanel(props: { code: CodeResponse; token: string }) {
  const { t } = useLang();
  const results = useResource<unknown>('/v1/me/results', props.token, [props.code.display.lastNegativeTest]);
  const list = results.state === 'ok' ? listOf<TestResult>(results.data, ['results', 'items']) : [];
  const asOf = results.state === 'ok' ? (results.data as { asOf?: string | null } | null)?.asOf : null;
  const latest = list
    .map((r) => ({ r, at: r.reportedAt ?? r.resultAt ?? r.collectedAt ?? r.at ?? '' }))
    .sort((a, b) => b.at.localeCompare(a.at))[0];
  const d = props.code.display;
  const outcome = (s: string | undefined) =>
    s === 'negative'
      ? t('阴性', 'negative')
      : s === 'positive'
        ? t('阳性', 'positive')
        : s
          ? s
          : t('待出结果', 'pending');
  return (
    <section class="card" aria-labelledby="h-health">
      <h2 id="h-health">{t('健康信息', 'Health record')}</h2>
      <dl class="facts">
        <dt>{t('姓名', 'Name')}</dt>
        <dd>{d.maskedName}</dd>
        <dt>{t('疫苗接种', 'Vaccination')}</dt>
        <dd data-testid="vaccine">
          {d.vaccineDoses > 0
            ? t(`已接种 ${d.vaccineDoses} 剂`, `${d.vaccineDoses} dose(s)`)
            : t('无记录', 'no record')}
        </dd>
        <dt>{t('最近核酸', 'Latest test')}</dt>
        <dd data-testid="latest-test">
          {latest
            ? `${outcome(latest.r.result ?? latest.r.outcome)} · ${latest.at ? fmtTime(latest.at, false) : ''}`
            : d.lastNegativeTest
              ? t(`阴性 · ${d.lastNegativeTest}`, `negative · ${d.lastNegativeTest}`)
              : t('无记录', 'no record')}
        </dd>
      </dl>
      {asOf && (
        <p class="small muted">
          {t('检测数据更新于 ', 'Test data as of ')}
          {fmtTime(asOf, false)}
        </p>
      )}
    </section>
  );
}

/** Why this colour: each rule that fired, since when, and what releases it. */
export function ReasonsPanel(props: { code: CodeResponse }) {
  const { t, tx } = useLang();
  const d = props.code.display;
  return (
    <section class="card" aria-labelledby="h-why">
      <h2 id="h-why">{t('为什么是这个颜色', 'Why this colour')}</h2>
      {d.reasons.length === 0 ? (
        <p>{t('没有风险记录。', 'No risk on record.')}</p>
      ) : (
        <ul class="reasons">
          {d.reasons.map((r) => (
            <li key={r.rule + r.since}>
              <strong>{tx(r.label)}</strong>
              <div class="small muted">
                {t('自 ', 'Since ')}
                {fmtTime(r.since, false)}
                {r.until ? ` · ${t('预计至 ', 'until ')}${fmtTime(r.until, false)}` : ''}
              </div>
              {tx(r.release) && (
                <div class="small">
                  {t('转绿条件：', 'To turn green: ')}
                  {tx(r.release)}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {d.nextReviewAt && (
        <p class="small muted">
          {t('下次自动复核：', 'Next automatic review: ')}
          {fmtTime(d.nextReviewAt, false)}
        </p>
      )}
    </section>
  );
}

interface City {
  name?: string | { zh?: string; en?: string };
  cityName?: string;
  code?: string;
  cityCode?: string;
  starred?: boolean;
  star?: boolean;
  risk?: boolean;
}

/** 行程卡: cities stayed in over the last 14 days, starred where a medium/high risk area is. */
export function ItineraryPanel(props: { token: string; code: CodeResponse }) {
  const { t, tx } = useLang();
  const r = useResource<unknown>('/v1/me/itinerary', props.token);
  const cities = r.state === 'ok' ? listOf<City>(r.data, ['cities', 'items', 'stays']) : [];
  const card =
    r.state === 'ok' ? (r.data as { phone?: string | null; asOf?: string; token?: string } | null) : null;
  const nameOf = (c: City) =>
    typeof c.name === 'object'
      ? tx({ zh: c.name.zh ?? '', en: c.name.en ?? '' })
      : (c.name ?? c.cityName ?? c.code ?? c.cityCode ?? '?');
  return (
    <section class="card" aria-labelledby="h-trip">
      <h2 id="h-trip">{t('通信行程卡', 'Itinerary card')}</h2>
      <p class="small muted">
        {t('您于前 14 天内到达或途经：', 'Cities you stayed in over the last 14 days:')}
      </p>
      {r.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {r.state === 'absent' && (
        <Empty>{t('行程卡服务暂未开通', 'The itinerary card is not available yet')}</Empty>
      )}
      {r.state === 'offline' && <Empty>{t('离线：联网后显示行程', 'Offline: shown when back online')}</Empty>}
      {r.state === 'error' && <div class="error">{r.message}</div>}
      {r.state === 'ok' &&
        (cities.length === 0 ? (
          <Empty>{t('14 天内无城市停留记录', 'No city stays in the last 14 days')}</Empty>
        ) : (
          <p class="cities" data-testid="itinerary">
            {cities.map((c, i) => {
              const star = c.starred ?? c.star ?? c.risk ?? false;
              return (
                <span key={i} class={star ? 'city starred' : 'city'}>
                  {nameOf(c)}
                  {star && <span title={t('有中高风险区', 'has a medium or high risk area')}>*</span>}
                  {i < cities.length - 1 ? '，' : ''}
                </span>
              );
            })}
          </p>
        ))}
      {cities.some((c) => c.starred ?? c.star ?? c.risk) && (
        <p class="small">
          {t('* 表示当前该城市存在中高风险区', '* the city currently has a medium or high risk area')}
        </p>
      )}
      {card?.asOf && (
        <p class="small muted">
          {card.phone ? `${card.phone} · ` : ''}
          {t('更新于 ', 'As of ')}
          {fmtTime(card.asOf)}
        </p>
      )}
      {card?.token && (
        <details>
          <summary>{t('出示行程卡二维码', 'Show the card as a QR')}</summary>
          <div class="qr-wrap small-qr">
            <QrSvg text={card.token} colour="#1e3a8a" label={t('行程卡二维码', 'Itinerary card QR')} />
          </div>
        </details>
      )}
    </section>
  );
}
