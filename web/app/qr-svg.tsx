/**
 * The QR drawn as one SVG path in the status colour. Built from the qrcode package's module
 * matrix (no canvas), so a refresh swaps one attribute and the screen never flickers.
 */
import QRCode from 'qrcode';
import { useMemo } from 'preact/hooks';

/** SVG path of the dark modules, plus the matrix size. */
export function qrPath(text: string): { d: string; size: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const data = qr.modules.data;
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!data[y * size + x]) {
        x++;
        continue;
      }
      // one horizontal run of dark modules = one rectangle
      const start = x;
      while (x < size && data[y * size + x]) x++;
      d += `M${start} ${y}h${x - start}v1h${start - x}z`;
    }
  }
  return { d, size };
}

/** A QR code with a 4-module white quiet zone. */
export function QrSvg(props: { text: string; colour: string; label: string }) {
  const { d, size } = useMemo(() => qrPath(props.text), [props.text]);
  const q = 4;
  return (
    <svg
      class="qr"
      viewBox={`${-q} ${-q} ${size + 2 * q} ${size + 2 * q}`}
      role="img"
      aria-label={props.label}
      shape-rendering="crispEdges"
      data-token={props.text}
    >
      <rect x={-q} y={-q} width={size + 2 * q} height={size + 2 * q} fill="#fff" />
      <path d={d} fill={props.colour} />
    </svg>
  );
}
