/**
 * Colour counts of the officer's region (GET /v1/stats/colours), polled, with the series kept in
 * localStorage so the chart (uPlot) shows counts over time across reloads.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, store } from '../shared/api.ts';
import { COLOUR5, COLOURS } from '../shared/colours.ts';
import { fmtTime, useLang } from '../shared/i18n.ts';
import { regionText, type Session } from './session.ts';

interface Point {
  t: number;
  counts: Record<string, number>;
}
const MAX_POINTS = 720;

export function Dashboard(props: { session: Session; pollMs?: number }) {
  const { t, tx } = useLang();
  const key = `hc.console.series.${props.session.regionPrefix}`;
  const [series, setSeries] = useState<Point[]>(() => store.get<Point[]>(key) ?? []);
  const [error, setError] = useState<string | null>(null);
  const chartEl = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const r = await api<{ counts: Record<string, number> }>('/v1/stats/colours', {
          token: props.session.token,
        });
        if (!live) return;
        if (!r.ok) return setError(r.message);
        setError(null);
        setSeries((s) => {
          const next = [...s, { t: Date.now(), counts: r.data.counts }].slice(-MAX_POINTS);
          store.set(key, next);
          return next;
        });
      } catch {
        if (live) setError(t('网络不可用', 'Network unavailable'));
      }
    };
    void poll();
    const id = setInterval(() => void poll(), props.pollMs ?? 10_000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [props.session.token]);

  useEffect(() => {
    if (!chartEl.current) return;
    // uPlot needs at least two x values to draw a line; repeat a single point a second later.
    const pts = series.length === 1 ? [series[0]!, { ...series[0]!, t: series[0]!.t + 1000 }] : series;
    const data: uPlot.AlignedData = [
      pts.map((p) => p.t / 1000),
      ...COLOUR5.map((c) => pts.map((p) => p.counts[c] ?? 0)),
    ];
    const width = Math.max(300, chartEl.current.clientWidth);
    if (!chart.current) {
      chart.current = new uPlot(
        {
          width,
          height: 260,
          series: [
            {},
            ...COLOUR5.map((c) => ({
              label: `${COLOURS[c].icon} ${tx(COLOURS[c].label)}`,
              stroke: COLOURS[c].fg,
              width: 2,
              dash: c === 'yellow' ? [6, 4] : c === 'orange' ? [2, 3] : undefined,
            })),
          ],
          axes: [{}, { size: 60 }],
          legend: { live: false },
        },
        data,
        chartEl.current,
      );
    } else chart.current.setData(data);
  }, [series]);

  useEffect(() => {
    // Follow the container's width (phone rotation, window resize).
    const fit = () => {
      const w = chartEl.current?.clientWidth;
      if (w && chart.current) chart.current.setSize({ width: Math.max(300, w), height: 260 });
    };
    addEventListener('resize', fit);
    return () => {
      removeEventListener('resize', fit);
      chart.current?.destroy();
    };
  }, []);

  const last = series[series.length - 1];
  const total = last ? COLOUR5.reduce((a, c) => a + (last.counts[c] ?? 0), 0) : 0;
  return (
    <section aria-labelledby="h-dash">
      <h2 id="h-dash">
        {t('辖区颜色统计', 'Colours in my region')}{' '}
        <span class="muted small">{tx(regionText(props.session))}</span>
      </h2>
      {error && <div class="error">{error}</div>}
      <div class="tiles">
        {COLOUR5.map((c) => (
          <div class="tile" key={c} style={{ borderColor: COLOURS[c].fg }} data-testid={`tile-${c}`}>
            <div class="tile-label" style={{ color: COLOURS[c].fg }}>
              <span aria-hidden="true">{COLOURS[c].icon}</span> {tx(COLOURS[c].label)}
            </div>
            <div class="tile-value">{last ? (last.counts[c] ?? 0).toLocaleString() : '—'}</div>
            <div class="small muted">
              {total && last ? `${(((last.counts[c] ?? 0) / total) * 100).toFixed(1)}%` : ''}
            </div>
          </div>
        ))}
      </div>
      <div class="card">
        <div ref={chartEl} class="chart" data-testid="chart" />
        <p class="small muted">
          {t('每 10 秒更新，', 'Updated every 10 s, ')}
          {last ? `${t('最近', 'last')} ${fmtTime(last.t)}` : ''}
        </p>
      </div>
    </section>
  );
}
