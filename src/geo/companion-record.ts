// The key-population record a companion pair becomes (docs/DESIGN.md §6, docs/COMPANIONS.md):
// the one format the carrier's engine, the platform's runs and the JetStream tile workers publish
// to `feeds.key-population`. Pure.

/** A key-population record as the province platform's consumer reads it. */
export interface CompanionFeedRecord {
  sourceId: string;
  personRef: string;
  category: 'companion';
  tier: 'medium';
  list: string;
  caseRef: string;
  seconds: number;
  firstTs: number;
  lastTs: number;
  /** epoch ms: the last co-located moment (docs/DESIGN.md §6), never after the run's as-of time */
  eventTime: number;
}

/** The list companion records name unless the run says otherwise. */
export const COMPANION_LIST = 'telecom.companions';

/**
 * A person name in a ping image: `<key>|<ref>` when the platform runs the engine (key: its own
 * pseudonymous id, used in source ids and case refs; ref: the phone the feed resolves), or a
 * carrier's own id, which is both.
 */
export function splitName(name: string): { key: string; ref: string } {
  const bar = name.indexOf('|');
  return bar < 0 ? { key: name, ref: name } : { key: name.slice(0, bar), ref: name.slice(bar + 1) };
}

/**
 * The key-population record of one companion pair. The event time is the last co-located moment
 * (`lastTs`, the exclusive end of the last overlap), clamped to `asOf` (epoch seconds, the moment
 * the run looked at the data): a run over the current day cannot vouch for presence it has not
 * seen yet, and the feed refuses times in the future. Returns null when the pair starts after
 * `asOf` (nothing seen yet).
 */
export function feedRecord(
  day: string,
  person: string,
  caseId: string,
  seconds: number,
  firstTs: number,
  lastTs: number,
  asOf = Number.POSITIVE_INFINITY,
  list = COMPANION_LIST,
): CompanionFeedRecord | null {
  if (firstTs >= asOf) return null;
  const p = splitName(person);
  const c = splitName(caseId);
  const last = Math.min(lastTs, asOf);
  return {
    sourceId: `companion:${day}:${p.key}:${c.key}`,
    personRef: p.ref,
    category: 'companion',
    tier: 'medium',
    list,
    caseRef: c.key,
    seconds,
    firstTs,
    lastTs: last,
    eventTime: last * 1000,
  };
}
