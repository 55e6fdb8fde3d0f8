/**
 * Scanner page (/scan) for venue staff and gates: camera scanning, offline verification with the
 * cached trust list, a full-screen verdict with sound or vibration, and counters. Once loaded it
 * keeps working without network: the decoder, the verifier and the trust list are all local.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { qrDetector, scanLoop, startCamera, type QrDetector } from '../shared/camera-scan.ts';
import { fmtAge, lang, setLang, useLang } from '../shared/i18n.ts';
import { registerServiceWorker, useOnline } from '../shared/offline.ts';
import { TopBar } from '../shared/ui.tsx';
import '../shared/base.css';
import './scan.css';
import { ResultScreen } from './result.tsx';
import {
  count,
  deviceKey,
  forgetDeviceKey,
  loadCounters,
  refreshTrustList,
  resetCounters,
  saveDeviceKey,
  signal,
  trustInfo,
  verifyOffline,
  verifyOnline,
  type ScanResult,
} from './scanner-state.ts';

function Scanner() {
  const { t, lang: l } = useLang();
  const online = useOnline();
  const [trust, setTrust] = useState(trustInfo());
  const [detector, setDetector] = useState<QrDetector | null>(null);
  const [detErr, setDetErr] = useState<string | null>(null);
  const [camOn, setCamOn] = useState(false);
  const [camErr, setCamErr] = useState<string | null>(null);
  const [result, setResult] = useState<ScanResult | null>(null);
  const [counters, setCounters] = useState(loadCounters());
  const [paste, setPaste] = useState('');
  const [key, setKey] = useState(deviceKey());
  const [keyInput, setKeyInput] = useState('');
  const [keyMsg, setKeyMsg] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const closeTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    void refreshTrustList().then(() => setTrust(trustInfo()));
    // Load and compile the decoder now, while the network is surely there.
    qrDetector()
      .then(setDetector)
      .catch((e: unknown) => setDetErr(String(e)));
    const id = setInterval(() => void refreshTrustList().then(() => setTrust(trustInfo())), 10 * 60_000);
    return () => clearInterval(id);
  }, []);

  const check = async (text: string) => {
    const offline = await verifyOffline(text.trim());
    show(offline);
    const confirmed = offline.reason === 'NOT_A_HEALTH_CODE' ? undefined : await verifyOnline(text.trim());
    if (confirmed) {
      // The platform's word wins (it knows revocations this device may not); count once.
      setResult((cur) => (cur && cur.at === offline.at ? confirmed : cur));
      if (confirmed.valid !== offline.valid || confirmed.colour3 !== offline.colour3)
        signal(confirmed.valid && confirmed.colour3 === 0);
    }
  };

  const show = (r: ScanResult) => {
    setResult(r);
    setCounters((c) => count(c, r));
    signal(r.valid && r.colour3 === 0);
    clearTimeout(closeTimer.current);
    closeTimer.current = setTimeout(() => setResult(null), 5000) as unknown as number;
  };

  useEffect(() => {
    if (!camOn || !detector || !video.current) return;
    let stopCam: (() => void) | undefined;
    let stopLoop: (() => void) | undefined;
    let cancelled = false;
    const v = video.current;
    startCamera(v)
      .then((stop) => {
        stopCam = stop;
        if (cancelled) return stop();
        stopLoop = scanLoop(v, detector, (text) => void check(text));
      })
      .catch((e: unknown) => {
        setCamErr(e instanceof Error ? e.message : String(e));
        setCamOn(false);
      });
    return () => {
      cancelled = true;
      stopLoop?.();
      stopCam?.();
    };
  }, [camOn, detector]);

  return (
    <>
      <TopBar title={{ zh: '健康码核验', en: 'Code scanner' }} />
      {!online && (
        <div class="offline-banner" role="status" data-testid="offline-banner">
          ⚠ {t('离线模式：本机核验，不显示姓名', 'OFFLINE: verified on this device, no names')}
        </div>
      )}
      <main class="scan-page">
        <section class="card">
          <div class="video-box">
            <video ref={video} class="camera" aria-label={t('相机画面', 'Camera view')} hidden={!camOn} />
            {!camOn && (
              <button
                type="button"
                class="start"
                disabled={!detector}
                onClick={() => {
                  setCamErr(null);
                  setCamOn(true);
                }}
                data-testid="start-camera"
              >
                {detector ? t('开始扫码', 'Start scanning') : t('正在加载解码器…', 'Loading decoder…')}
              </button>
            )}
          </div>
          {camOn && (
            <button type="button" class="secondary" onClick={() => setCamOn(false)}>
              {t('停止扫码', 'Stop')}
            </button>
          )}
          {camErr && (
            <div class="error">
              {t('无法打开相机：', 'Camera unavailable: ')}
              {camErr}
            </div>
          )}
          {detErr && (
            <div class="error">
              {t('解码器加载失败：', 'Decoder failed to load: ')}
              {detErr}
            </div>
          )}
        </section>

        <section class="card counters" aria-label={t('今日计数', "Today's counts")} data-testid="counters">
          <div>
            <b>{counters.total}</b>
            <span>{t('总计', 'Total')}</span>
          </div>
          <div class="pass">
            <b data-testid="count-pass">{counters.pass}</b>
            <span>✔ {t('通行', 'Pass')}</span>
          </div>
          <div class="stop">
            <b data-testid="count-stop">{counters.stop}</b>
            <span>✖ {t('拦截', 'Stop')}</span>
          </div>
          <div>
            <b>{counters.invalid}</b>
            <span>⊘ {t('无效', 'Invalid')}</span>
          </div>
          <button type="button" class="secondary" onClick={() => setCounters(resetCounters())}>
            {t('清零', 'Reset')}
          </button>
        </section>

        <section class="card">
          <h2>{t('手动核验', 'Manual check')}</h2>
          <textarea
            rows={3}
            aria-label={t('粘贴健康码内容', 'Paste the code text')}
            placeholder="JKM1:…"
            value={paste}
            onInput={(e) => setPaste(e.currentTarget.value)}
            data-testid="paste"
          />
          <p>
            <button
              type="button"
              disabled={!paste.trim()}
              onClick={() => void check(paste)}
              data-testid="paste-verify"
            >
              {t('核验', 'Verify')}
            </button>
          </p>
        </section>

        <section class="card small">
          <h2>{t('设备', 'Device')}</h2>
          <p data-testid="trust-info">
            {trust
              ? t(
                  `信任列表 ${trust.issuer}，${trust.keys} 个密钥，更新于 ${fmtAge(Date.now() - trust.fetchedAt, l)}`,
                  `Trust list ${trust.issuer}, ${trust.keys} key(s), updated ${fmtAge(Date.now() - trust.fetchedAt, l)}`,
                )
              : t('尚无信任列表：请联网打开一次', 'No trust list yet: open once with network')}
          </p>
          <p>
            {t('解码：', 'Decoder: ')}
            {detector?.engine ?? '…'}
          </p>
          {key ? (
            <p>
              {t('设备密钥已保存（在线核验显示姓名）', 'Device key saved (online checks show names)')}{' '}
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  forgetDeviceKey();
                  setKey(null);
                }}
              >
                {t('清除', 'Forget')}
              </button>
            </p>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void saveDeviceKey(keyInput.trim()).then((r) => {
                  if (r === 'ok') {
                    setKey(keyInput.trim());
                    setKeyInput('');
                    setKeyMsg(null);
                  } else
                    setKeyMsg(
                      r === 'rejected'
                        ? t('密钥无效', 'Key rejected')
                        : t('离线，无法验证密钥', 'Offline: cannot check the key'),
                    );
                });
              }}
            >
              <label for="device-key">{t('设备密钥（只需输入一次）', 'Device key (entered once)')}</label>
              <div class="row">
                <input
                  id="device-key"
                  class="grow"
                  type="password"
                  autoComplete="off"
                  value={keyInput}
                  onInput={(e) => setKeyInput(e.currentTarget.value)}
                />
                <button type="submit" disabled={!keyInput.trim()}>
                  {t('保存', 'Save')}
                </button>
              </div>
              {keyMsg && <div class="error">{keyMsg}</div>}
            </form>
          )}
        </section>
      </main>
      {result && <ResultScreen result={result} onClose={() => setResult(null)} />}
    </>
  );
}

const q = new URLSearchParams(location.search).get('lang');
setLang(q === 'en' || q === 'zh' ? q : lang());
const root = document.getElementById('root') as HTMLElement;
root.textContent = ''; // drop the static loading note: render() appends, it does not replace
render(<Scanner />, root);
registerServiceWorker('/scan/');
