/**
 * QR scanning from the camera with the BarcodeDetector API. Where the browser has none (desktop
 * Linux and Windows Chromium, Firefox, Safari) the barcode-detector ponyfill decodes with ZXing
 * WebAssembly; its .wasm file is bundled into web/dist and served by the platform, never a CDN.
 * The decoder is loaded lazily so pages that may never scan do not pay for it on first load.
 */
interface DetectedCode {
  rawValue: string;
}
export interface QrDetector {
  detect(source: HTMLVideoElement | HTMLCanvasElement | ImageBitmap | ImageData): Promise<DetectedCode[]>;
  /** 'native' or 'zxing-wasm': shown on the scanner so staff know what decodes */
  readonly engine: string;
}

interface NativeDetectorCtor {
  new (o: { formats: string[] }): { detect(s: unknown): Promise<DetectedCode[]> };
  getSupportedFormats(): Promise<string[]>;
}

let pending: Promise<QrDetector> | undefined;

/** The best QR detector available; the WebAssembly decoder is fetched and compiled once. */
export function qrDetector(): Promise<QrDetector> {
  pending ??= build();
  return pending;
}

async function build(): Promise<QrDetector> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorCtor }).BarcodeDetector;
  if (Native) {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) {
        const d = new Native({ formats: ['qr_code'] });
        return { engine: 'native', detect: (s) => d.detect(s) };
      }
    } catch {
      /* fall through to the WebAssembly decoder */
    }
  }
  const [{ BarcodeDetector, prepareZXingModule }, { default: wasmUrl }] = await Promise.all([
    import('barcode-detector/ponyfill'),
    import('zxing-wasm/reader/zxing_reader.wasm?url'),
  ]);
  // Point the decoder at our own copy of the .wasm and compile it now, while still online.
  await prepareZXingModule({
    overrides: {
      locateFile: (p: string, prefix: string) =>
        p.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + p,
    },
    fireImmediately: true,
  });
  const d = new BarcodeDetector({ formats: ['qr_code'] });
  return { engine: 'zxing-wasm', detect: (s) => d.detect(s) };
}

/** Opens the (rear) camera into a video element; returns a stop function. */
export async function startCamera(video: HTMLVideoElement): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play();
  return () => {
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
}

/**
 * Detects codes in the video until stopped. The same text is reported again only after
 * `repeatMs`, so a code held in front of the camera is not counted many times.
 */
export function scanLoop(
  video: HTMLVideoElement,
  detector: QrDetector,
  onText: (text: string) => void,
  repeatMs = 4000,
): () => void {
  let stopped = false;
  let last = '';
  let lastAt = 0;
  const tick = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        const found = await detector.detect(video);
        const text = found[0]?.rawValue;
        const now = Date.now();
        if (text && (text !== last || now - lastAt > repeatMs)) {
          last = text;
          lastAt = now;
          onText(text);
        }
      }
    } catch {
      /* a frame that cannot be decoded is normal */
    }
    if (!stopped) setTimeout(() => void tick(), 120);
  };
  void tick();
  return () => {
    stopped = true;
  };
}
