/**
 * Colour presentation shared by the three apps. Colour is never the only signal: each colour
 * has a text label and an icon shape, and the shades are dark enough for a QR on white.
 */
import type { Text } from './i18n.ts';

export type Colour5Name = 'green' | 'yellow' | 'orange' | 'red' | 'purple';
export const COLOUR5: readonly Colour5Name[] = ['green', 'yellow', 'orange', 'red', 'purple'];

export interface ColourStyle {
  name: Colour5Name;
  /** foreground: QR modules and banners (white text on it stays readable) */
  fg: string;
  /** light background tint */
  bg: string;
  icon: string;
  label: Text;
  /** what a gate does with it */
  action: Text;
}

export const COLOURS: Record<Colour5Name, ColourStyle> = {
  green: {
    name: 'green',
    fg: '#15803d',
    bg: '#dcfce7',
    icon: '✔',
    label: { zh: '绿码', en: 'Green' },
    action: { zh: '通行', en: 'Pass' },
  },
  yellow: {
    name: 'yellow',
    fg: '#a16207',
    bg: '#fef9c3',
    icon: '▲',
    label: { zh: '黄码', en: 'Yellow' },
    action: { zh: '通行，请按时检测', en: 'Pass, test due' },
  },
  orange: {
    name: 'orange',
    fg: '#c2410c',
    bg: '#ffedd5',
    icon: '◆',
    label: { zh: '橙码', en: 'Orange' },
    action: { zh: '禁止通行，请三天两检', en: 'Stop: 2 tests in 3 days' },
  },
  red: {
    name: 'red',
    fg: '#b91c1c',
    bg: '#fee2e2',
    icon: '✖',
    label: { zh: '红码', en: 'Red' },
    action: { zh: '禁止通行，请联系社区', en: 'Stop: contact your community' },
  },
  purple: {
    name: 'purple',
    fg: '#6b21a8',
    bg: '#f3e8ff',
    icon: '✖',
    label: { zh: '紫码', en: 'Purple' },
    action: { zh: '禁止通行', en: 'Stop' },
  },
};

/** Style for a 5-colour number (0 green … 4 purple); unknown numbers read as red. */
export function colourOf(c5: number | undefined | null): ColourStyle {
  return COLOURS[COLOUR5[c5 ?? 3] ?? 'red'];
}

export const KIND_LABELS: Record<string, Text> = {
  s: { zh: '电子码', en: 'Screen code' },
  p: { zh: '纸质码', en: 'Paper code' },
  o: { zh: '离线码', en: 'Offline code' },
  d: { zh: '亲属代办码', en: 'Dependent code' },
  v: { zh: '车辆通行码', en: 'Vehicle pass' },
};
