/**
 * Venue check-in (场所码): the resident scans the venue's printed QR with the phone camera and
 * the platform records the visit. The decoder is loaded only when the camera opens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, NetworkError, routeMissing } from '../shared/api.ts';
import { qrDetector, scanLoop, startCamera } from '../shared/camera-scan.ts';
import { useLang } from '../shared/i18n.ts';

export function CheckinPanel(props: { token: string; onDone: () => void }) {
  const { t } = useLang();
  const [open, setOpen] = useState(false);
  const [manual, setManual] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const send = async (venueCode: string) => {
    setOpen(false);
    try {
      const r = await api<{ at: string; duplicate: boolean; venue: { name: string; address: string } }>(
        '/v1/checkins',
        { token: props.token, body: { token: venueCode.trim() } },
      );
      if (r.ok) {
        const v = r.data.venue;
        const again = r.data.duplicate ? t('（已登记过）', ' (already checked in)') : '';
        setMsg({
          ok: true,
          text: t(`已登记：${v.name}，${v.address}${again}`, `Checked in: ${v.name}, ${v.address}${again}`),
        });
        props.onDone();
      } else if (routeMissing(r)) {
        setMsg({ ok: false, text: t('场所登记服务暂未开通', 'Venue check-in is not available yet') });
      } else setMsg({ ok: false, text: r.message || t('无法识别的场所码', 'Not a venue code') });
    } catch (err) {
      setMsg({
        ok: false,
        text: err instanceof NetworkError ? t('离线，无法登记', 'Offline: cannot check in') : String(err),
      });
    }
  };

  return (
    <section class="card" aria-labelledby="h-checkin">
      <h2 id="h-checkin">{t('场所扫码登记', 'Venue check-in')}</h2>
      {open ? (
        <CameraBox onText={(s) => void send(s)} onCancel={() => setOpen(false)} />
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          {t('扫场所码', 'Scan venue code')}
        </button>
      )}
      <details>
        <summary>{t('手动输入场所码', 'Enter a venue code')}</summary>
        <div class="row">
          <input
            class="grow"
            aria-label={t('场所码', 'Venue code')}
            value={manual}
            onInput={(e) => setManual(e.currentTarget.value)}
          />
          <button type="button" disabled={!manual.trim()} onClick={() => void send(manual)}>
            {t('登记', 'Check in')}
          </button>
        </div>
      </details>
      {msg && (
        <div class={msg.ok ? 'ok' : 'error'} role="status">
          {msg.text}
        </div>
      )}
    </section>
  );
}

function CameraBox(props: { onText: (s: string) => void; onCancel: () => void }) {
  const { t } = useLang();
  const video = useRef<HTMLVideoElement>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    let stopCam: (() => void) | undefined;
    let stopLoop: (() => void) | undefined;
    let cancelled = false;
    (async () => {
      const det = await qrDetector();
      if (cancelled || !video.current) return;
      stopCam = await startCamera(video.current);
      stopLoop = scanLoop(video.current, det, props.onText);
    })().catch((e: unknown) => setErr(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      stopLoop?.();
      stopCam?.();
    };
  }, []);
  return (
    <div>
      <video ref={video} class="camera" aria-label={t('相机画面', 'Camera view')} />
      {err && (
        <div class="error">
          {t('无法打开相机：', 'Camera unavailable: ')}
          {err}
        </div>
      )}
      <button type="button" class="secondary" onClick={props.onCancel}>
        {t('取消', 'Cancel')}
      </button>
    </div>
  );
}
