/**
 * The code itself: a large QR in the status colour, the colour as text and icon, a live clock
 * and a moving band so a screenshot is easy to tell from the live page, and the offline banner.
 */
import { useEffect, useState } from 'preact/hooks';
import { colourOf, KIND_LABELS } from '../shared/colours.ts';
import { fmtAge, fmtTime, useLang } from '../shared/i18n.ts';
import type { StoredCode } from './code-state.ts';
import { QrSvg } from './qr-svg.tsx';

function useNow(everyMs = 1000): number {
  const [now, set] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => set(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

/** Unmistakable offline notice with the age of the code on screen. */
export function OfflineBanner(props: { fetchedAt: number | null }) {
  const { lang, t } = useLang();
  const now = useNow();
  return (
    <div class="offline-banner" role="alert" data-testid="offline-banner">
      <div>⚠ {t('离线 · 网络已断开', 'OFFLINE · no network')}</div>
      {props.fetchedAt !== null && (
        <div class="small">
          {t('下方为最后一次获取的码，获取于 ', 'Last code shown, fetched ')}
          {fmtAge(now - props.fetchedAt, lang)} ({fmtTime(props.fetchedAt)})
        </div>
      )}
    </div>
  );
}

export function CodeCard(props: { stored: StoredCode; offline: boolean }) {
  const { t, tx } = useLang();
  const now = useNow();
  const { code } = props.stored;
  const c = colourOf(code.colour5);
  const expired = Date.parse(code.expiresAt) < now;
  return (
    <section
      class="card code-card"
      style={{ borderTop: `10px solid ${c.fg}` }}
      data-colour={c.name}
      aria-live="polite"
    >
      <div class="who">
        <span class="name" data-testid="masked-name">
          {code.display.maskedName}
        </span>
        <span class="muted small">{tx(KIND_LABELS[code.kind])}</span>
      </div>
      <div class="colour-line" style={{ color: c.fg }}>
        <span class="colour-icon" aria-hidden="true">
          {c.icon}
        </span>
        <span data-testid="colour-label">{tx(c.label)}</span>
        <span class="colour-action">{tx(c.action)}</span>
      </div>
      <div class={`qr-wrap${props.offline || expired ? ' stale' : ''}`}>
        <QrSvg
          text={code.token}
          colour={c.fg}
          label={t(`健康码 ${c.label.zh}`, `Health code ${c.label.en}`)}
        />
      </div>
      {/* Live elements: a running clock and a moving band; a screenshot freezes both. */}
      <div class="live" aria-hidden="true">
        <div class="band" style={{ background: c.fg }} />
      </div>
      <div class="clock" data-testid="clock">
        <span class="clock-date">{fmtTime(now).slice(0, 10)}</span> {fmtTime(now).slice(11)}
      </div>
      {(props.offline || expired) && (
        <div class="stale-note">
          {expired
            ? t('此码已过期，联网后自动更新', 'This code has expired; it renews when back online')
            : t('离线显示', 'Shown offline')}
        </div>
      )}
      <div class="muted small">
        {t('生成于 ', 'Issued ')}
        {fmtTime(code.issuedAt)} · {t('自动刷新', 'refreshes automatically')}
      </div>
    </section>
  );
}
