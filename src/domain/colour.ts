/**
 * Health code colours (健康码颜色). The national scale has three colours; a province may run five.
 * Numeric values are the ones the JKM1 token carries (docs/DESIGN.md §4), ordered by severity.
 */
export const Colour5 = { green: 0, yellow: 1, orange: 2, red: 3, purple: 4 } as const;
export type Colour5 = (typeof Colour5)[keyof typeof Colour5];
export type Colour5Name = keyof typeof Colour5;

export const Colour3 = { green: 0, yellow: 1, red: 2 } as const;
export type Colour3 = (typeof Colour3)[keyof typeof Colour3];
export type Colour3Name = keyof typeof Colour3;

export const COLOUR5_NAMES: readonly Colour5Name[] = ['green', 'yellow', 'orange', 'red', 'purple'];
export const COLOUR3_NAMES: readonly Colour3Name[] = ['green', 'yellow', 'red'];

/** 5 → 3 as Guizhou mapped it: purple, red → red; orange → yellow; yellow, green → green. */
export function toColour3(c5: Colour5): Colour3 {
  switch (c5) {
    case Colour5.purple:
    case Colour5.red:
      return Colour3.red;
    case Colour5.orange:
      return Colour3.yellow;
    case Colour5.yellow:
    case Colour5.green:
      return Colour3.green;
  }
}

export function colour5Name(c: Colour5): Colour5Name {
  return COLOUR5_NAMES[c] as Colour5Name;
}

export function colour3Name(c: Colour3): Colour3Name {
  return COLOUR3_NAMES[c] as Colour3Name;
}

export function isColour5(n: unknown): n is Colour5 {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 4;
}

export function isColour3(n: unknown): n is Colour3 {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 2;
}

/** Chinese and English labels for screens. */
export const COLOUR5_LABELS: Record<Colour5Name, { zh: string; en: string }> = {
  green: { zh: '绿码', en: 'Green' },
  yellow: { zh: '黄码', en: 'Yellow' },
  orange: { zh: '橙码', en: 'Orange' },
  red: { zh: '红码', en: 'Red' },
  purple: { zh: '紫码', en: 'Purple' },
};
