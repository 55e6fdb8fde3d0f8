/** The full-screen verdict: colour fill, big icon, colour and action as text, masked name, kind. */
import { useEffect, useRef } from 'preact/hooks';
import { colourOf, KIND_LABELS } from '../shared/colours.ts';
import { fmtTime, useLang, type Text } from '../shared/i18n.ts';
import type { ScanResult } from './scanner-state.ts';

const REASONS: Record<string, Text> = {
  NOT_A_HEALTH_CODE: { zh: '不是健康码', en: 'Not a health code' },
  NO_TRUST_LIST: { zh: '尚无信任列表，请联网一次', en: 'No trust list yet: connect once' },
  NO_WEBCRYPTO: {
    zh: '此浏览器无法离线核验（需 HTTPS）',
    en: 'This browser cannot verify offline (needs HTTPS)',
  },
  TOKEN_BAD_PREFIX: { zh: '不是健康码', en: 'Not a health code' },
  TOKEN_MALFORMED: { zh: '码已损坏', en: 'Damaged code' },
  TOKEN_BAD_ALG: { zh: '签名算法不受信任', en: 'Untrusted signature algorithm' },
  TOKEN_UNKNOWN_KID: { zh: '签发方不受信任', en: 'Unknown issuer key' },
  TOKEN_REVOKED_KID: { zh: '签名密钥已吊销', en: 'Revoked key' },
  TOKEN_BAD_SIGNATURE: { zh: '伪造或篡改的码', en: 'Forged or altered code' },
  TOKEN_EXPIRED: { zh: '码已过期（可能是截图）', en: 'Expired code (screenshot?)' },
  TOKEN_NOT_YET_VALID: { zh: '码尚未生效，请检查时间', en: 'Not yet valid: check the clock' },
  TOKEN_ISSUER_MISMATCH: { zh: '签发地不符', en: 'Issuer mismatch' },
  TOKEN_REVOKED: { zh: '此码已作废（已补打或吊销）', en: 'Code withdrawn (reprinted or revoked)' },
  TOKEN_COLOUR_TOO_OLD: {
    zh: '码色过旧，不能作为通行依据，请出示最新健康码',
    en: 'Colour too old to pass: show a current code',
  },
  TOKEN_COLOUR_MISMATCH: { zh: '码内颜色不一致（伪造或篡改）', en: 'Colour fields disagree (altered code)' },
  TOKEN_LIFETIME_TOO_LONG: { zh: '有效期超出规定', en: 'Code lives longer than allowed' },
};

/** A colour's age in words: minutes under two hours, else hours, else days. */
function ageText(seconds: number): Text {
  const m = Math.floor(seconds / 60);
  if (m < 120) return { zh: `${m} 分钟前`, en: `${m} min ago` };
  const h = Math.floor(m / 60);
  if (h < 48) return { zh: `${h} 小时前`, en: `${h} h ago` };
  const d = Math.floor(h / 24);
  return { zh: `${d} 天前`, en: `${d} days ago` };
}

export function ResultScreen(props: { result: ScanResult; onClose: () => void }) {
  const { t, tx } = useLang();
  const r = props.result;
  const next = useRef<HTMLButtonElement>(null);
  // Keyboard and switch users: focus lands on "Next", Escape closes.
  useEffect(() => {
    next.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [r.at]);
  const c = r.valid ? colourOf(r.colour5) : null;
  const bg = c ? c.fg : '#111827';
  return (
    <div
      class="result"
      style={{ background: bg }}
      role="alertdialog"
      aria-live="assertive"
      data-testid="scan-result"
      data-colour={c?.name ?? 'invalid'}
      onClick={props.onClose}
    >
      <div class="result-icon" aria-hidden="true">
        {c ? c.icon : '⊘'}
      </div>
      {c ? (
        <>
          <div class="result-colour" data-testid="result-colour">
            {tx(c.label)}
          </div>
          <div class="result-action">{tx(c.action)}</div>
          {r.maskedName && (
            <div class="result-name" data-testid="result-name">
              {r.maskedName}
            </div>
          )}
          <div class="result-meta">
            {tx(KIND_LABELS[r.kind ?? 's'])} · {r.issuer}
          </div>
          {r.kind !== 's' && r.colourAgeSeconds !== undefined && (
            <div class="result-meta" data-testid="result-colour-age">
              {t('码色评定于', 'Colour as of')} {tx(ageText(r.colourAgeSeconds))}
            </div>
          )}
        </>
      ) : (
        <>
          <div class="result-colour" data-testid="result-colour">
            {t('无效', 'Invalid')}
          </div>
          <div class="result-action">
            {tx(REASONS[r.reason ?? ''] ?? { zh: '无法核验此码', en: 'This code cannot be verified' })}
          </div>
          {r.reason === 'TOKEN_COLOUR_TOO_OLD' && r.colourAgeSeconds !== undefined && (
            <div class="result-meta" data-testid="result-colour-age">
              {t('码色评定于', 'Colour as of')} {tx(ageText(r.colourAgeSeconds))}
            </div>
          )}
        </>
      )}
      <div class="result-meta small">
        {r.checkedBy === 'online'
          ? t('平台在线核验', 'Confirmed online')
          : t('本机离线核验', 'Verified offline on this device')}{' '}
        · {fmtTime(r.at)}
      </div>
      <button type="button" class="result-close" ref={next}>
        {t('继续扫码', 'Next')}
      </button>
    </div>
  );
}
