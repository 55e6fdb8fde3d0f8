/**
 * Risk areas (GET /v1/risk-areas, a GeoJSON FeatureCollection) on a MapLibre map with an inline
 * style: a plain background and the areas as GeoJSON layers, no tile server and no glyphs, so the
 * map needs nothing from outside the platform. MapLibre is loaded only when this tab opens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtTime, useLang } from '../shared/i18n.ts';
import { Empty } from '../shared/ui.tsx';
import { useGet, type Session } from './session.ts';

interface Feature {
  type: 'Feature';
  id?: string | number;
  geometry: { type: string; coordinates: unknown } | null;
  properties: Record<string, unknown> | null;
}
interface Collection {
  type: 'FeatureCollection';
  features: Feature[];
}

const LEVELS: Record<string, { zh: string; en: string; colour: string; icon: string }> = {
  high: { zh: '高风险', en: 'High', colour: '#b91c1c', icon: '▲▲▲' },
  medium: { zh: '中风险', en: 'Medium', colour: '#c2410c', icon: '▲▲' },
  low: { zh: '低风险', en: 'Low', colour: '#a16207', icon: '▲' },
};
const levelOf = (p: Record<string, unknown> | null) => String(p?.level ?? p?.riskLevel ?? 'low');

function bounds(fc: Collection): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1]);
      n = Math.max(n, c[1]);
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const f of fc.features) visit(f.geometry?.coordinates);
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

export function RiskMap(props: { session: Session }) {
  const { t, tx } = useLang();
  const [areas] = useGet<Collection>('/v1/risk-areas', props.session);
  const el = useRef<HTMLDivElement>(null);
  const [mapErr, setMapErr] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (areas.state !== 'ok' || !el.current) return;
    let map: { remove(): void } | undefined;
    let cancelled = false;
    const fc: Collection = { type: 'FeatureCollection', features: areas.data.features ?? [] };
    Promise.all([import('maplibre-gl'), import('maplibre-gl/dist/maplibre-gl.css')])
      .then(([ml]) => {
        if (cancelled || !el.current) return;
        const level = ['coalesce', ['get', 'level'], ['get', 'riskLevel'], 'low'];
        const colour = [
          'match',
          level,
          'high',
          LEVELS.high!.colour,
          'medium',
          LEVELS.medium!.colour,
          LEVELS.low!.colour,
        ];
        const b = bounds(fc);
        const m = new ml.Map({
          container: el.current,
          attributionControl: false,
          center: [106.63, 26.65],
          zoom: 9,
          style: {
            version: 8,
            sources: { areas: { type: 'geojson', data: fc as never } },
            layers: [
              { id: 'bg', type: 'background', paint: { 'background-color': '#e8eef4' } },
              {
                id: 'area-fill',
                type: 'fill',
                source: 'areas',
                filter: ['==', ['geometry-type'], 'Polygon'],
                paint: { 'fill-color': colour as never, 'fill-opacity': 0.45 },
              },
              {
                id: 'area-line',
                type: 'line',
                source: 'areas',
                filter: ['==', ['geometry-type'], 'Polygon'],
                paint: { 'line-color': colour as never, 'line-width': 2 },
              },
              {
                id: 'area-point',
                type: 'circle',
                source: 'areas',
                filter: ['==', ['geometry-type'], 'Point'],
                paint: {
                  'circle-color': colour as never,
                  'circle-radius': 8,
                  'circle-stroke-color': '#fff',
                  'circle-stroke-width': 2,
                },
              },
            ],
          },
        });
        m.addControl(new ml.NavigationControl({ showCompass: false }));
        m.addControl(new ml.ScaleControl({ unit: 'metric' }));
        m.on('load', () => {
          if (b) m.fitBounds([b[0], b[1], b[2], b[3]], { padding: 40, maxZoom: 16, duration: 0 });
          void m.once('idle', () => setReady(true));
        });
        m.on('error', (e: { error?: Error }) => setMapErr(e.error?.message ?? 'map error'));
        map = m;
      })
      .catch((e: unknown) => setMapErr(String(e)));
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [areas.state]);

  return (
    <section aria-labelledby="h-map">
      <h2 id="h-map">{t('风险区', 'Risk areas')}</h2>
      {areas.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {areas.state === 'absent' && (
        <Empty>{t('风险区服务暂未开通', 'Risk areas are not available on this server yet')}</Empty>
      )}
      {areas.state === 'error' && <div class="error">{areas.message}</div>}
      {areas.state === 'ok' && (
        <>
          <div
            ref={el}
            class="map"
            data-testid="map"
            data-ready={ready ? 'yes' : 'no'}
            role="img"
            aria-label={t('风险区地图', 'Map of risk areas')}
          />
          {mapErr && (
            <div class="error">
              {t('地图无法显示（需要 WebGL）：', 'Map unavailable (needs WebGL): ')}
              {mapErr}
            </div>
          )}
          <div class="legend">
            {Object.entries(LEVELS).map(([k, v]) => (
              <span key={k}>
                <span class="swatch" style={{ background: v.colour }} /> {v.icon} {tx(v)}
              </span>
            ))}
          </div>
          {areas.data.features.length === 0 ? (
            <Empty>{t('当前没有风险区', 'No risk areas now')}</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="area-table">
                <thead>
                  <tr>
                    <th>{t('名称', 'Name')}</th>
                    <th>{t('等级', 'Level')}</th>
                    <th>{t('开始', 'Since')}</th>
                    <th>{t('解除', 'Lifts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {areas.data.features.map((f, i) => {
                    const p = f.properties ?? {};
                    const lv = LEVELS[levelOf(p)] ?? LEVELS.low!;
                    const when = (v: unknown) =>
                      typeof v === 'string' || typeof v === 'number' ? fmtTime(v, false) : '—';
                    return (
                      <tr key={String(f.id ?? i)}>
                        <td>
                          {String(p.name ?? f.id ?? i + 1)}
                          {p.adminName ? ` (${String(p.adminName)})` : ''}
                          {!f.geometry ? ` · ${t('行政区划，无边界', 'admin area, no outline')}` : ''}
                        </td>
                        <td style={{ color: lv.colour, fontWeight: 700 }}>
                          {lv.icon} {tx(lv)}
                        </td>
                        <td>{when(p.startsAt ?? p.start ?? p.validFrom)}</td>
                        <td>{when(p.liftedAt ?? p.liftsAt ?? p.endsAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
