/** Time units and the ISO form of the simulation's epoch-millisecond times (its own, not the engine's). */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const iso = (t: number): string => new Date(t).toISOString();
