/**
 * What the scanner knows: the trust list (cached in localStorage so verification works with no
 * network), the device key for online checks, and today's counters. Verification runs offline
 * first with the project's own verifier (src/verifier, WebCrypto) and is then confirmed online
 * when possible, which adds the masked name.
 */
import { createVerifier, JKM1_PREFIX, type TrustList, type Verifier } from '../../src/verifier/index.ts';
import { api, NetworkError, store } from '../shared/api.ts';

export interface ScanResult {
  at: number;
  valid: boolean;
  reason?: string;
  colour5?: number;
  colour3?: number;
  kind?: string;
  issuer?: string;
  maskedName?: string;
  expiresAt?: string;
  /** how old the code's colour was when scanned, seconds (offline verdicts) */
  colourAgeSeconds?: number;
  /** the oldest colour the issuer lets a long-lived code vouch for, seconds */
  maxColourAgeSeconds?: number;
  /** offline: checked on this device only; online: confirmed by the platform */
  checkedBy: 'offline' | 'online';
}

export interface Counters {
  day: string;
  total: number;
  pass: number;
  stop: number;
  invalid: number;
}

const TRUST_KEY = 'hc.scan.trustList';
const DEVICE_KEY = 'hc.scan.deviceKey';
const COUNTERS_KEY = 'hc.scan.counters';

interface StoredTrust {
  list: TrustList;
  fetchedAt: number;
}

let verifier: Verifier | undefined;
let trust: StoredTrust | null = store.get<StoredTrust>(TRUST_KEY);

function rebuild(): void {
  verifier = undefined;
  if (!trust || !globalThis.crypto?.subtle) return;
  try {
    verifier = createVerifier(trust.list);
    void verifier.warmUp();
  } catch {
    verifier = undefined;
  }
}
rebuild();

/** The cached trust list and when it was fetched. */
export function trustInfo(): { issuer: string; keys: number; fetchedAt: number } | null {
  return trust
    ? { issuer: trust.list.issuer, keys: trust.list.keys.length, fetchedAt: trust.fetchedAt }
    : null;
}

/** Fetches the trust list; on failure keeps the cached one. Returns whether it is fresh. */
export async function refreshTrustList(): Promise<boolean> {
  try {
    const r = await api<TrustList>('/v1/trust-list');
    if (!r.ok || !Array.isArray(r.data?.keys)) return false;
    trust = { list: r.data, fetchedAt: Date.now() };
    store.set(TRUST_KEY, trust);
    rebuild();
    return true;
  } catch (err) {
    if (err instanceof NetworkError) return false;
    throw err;
  }
}

export function deviceKey(): string | null {
  return store.get<string>(DEVICE_KEY);
}

/** Stores the device key after checking it against the platform (401 means wrong key). */
export async function saveDeviceKey(key: string): Promise<'ok' | 'rejected' | 'offline'> {
  try {
    const r = await api('/v1/verify', { apiKey: key, body: { token: 'JKM1:' } });
    if (r.status === 401 || r.status === 403) return 'rejected';
    store.set(DEVICE_KEY, key);
    return 'ok';
  } catch {
    return 'offline';
  }
}

export function forgetDeviceKey(): void {
  store.set(DEVICE_KEY, null);
}

/** Offline verdict from the cached trust list. */
export async function verifyOffline(text: string): Promise<ScanResult> {
  const at = Date.now();
  if (!text.startsWith(JKM1_PREFIX))
    return { at, valid: false, reason: 'NOT_A_HEALTH_CODE', checkedBy: 'offline' };
  if (!verifier)
    return { at, valid: false, reason: trust ? 'NO_WEBCRYPTO' : 'NO_TRUST_LIST', checkedBy: 'offline' };
  const r = await verifier.verify(text, Math.floor(at / 1000));
  if (!r.valid)
    return {
      at,
      valid: false,
      reason: r.reason,
      colourAgeSeconds: r.colourAgeSeconds,
      maxColourAgeSeconds: r.maxColourAgeSeconds,
      checkedBy: 'offline',
    };
  return {
    at,
    valid: true,
    colour5: r.colour5,
    colour3: r.colour3,
    kind: r.kind,
    issuer: r.issuer,
    expiresAt: new Date(r.claims.exp * 1000).toISOString(),
    colourAgeSeconds: r.colourAgeSeconds,
    maxColourAgeSeconds: r.maxColourAgeSeconds,
    checkedBy: 'offline',
  };
}

/** Online verdict with the masked name; undefined when offline or without a device key. */
export async function verifyOnline(text: string): Promise<ScanResult | undefined> {
  const key = deviceKey();
  if (!key || !navigator.onLine) return undefined;
  try {
    const r = await api<Omit<ScanResult, 'at' | 'checkedBy'>>('/v1/verify', {
      apiKey: key,
      body: { token: text },
      timeoutMs: 3000,
    });
    if (!r.ok) return undefined;
    return { ...r.data, at: Date.now(), checkedBy: 'online' };
  } catch {
    return undefined;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function loadCounters(): Counters {
  const c = store.get<Counters>(COUNTERS_KEY);
  return c && c.day === today() ? c : { day: today(), total: 0, pass: 0, stop: 0, invalid: 0 };
}

/** Counts one scan: pass is 3-colour green, stop is yellow or red, invalid is a rejected code. */
export function count(c: Counters, r: ScanResult): Counters {
  const base = c.day === today() ? c : { day: today(), total: 0, pass: 0, stop: 0, invalid: 0 };
  const next = { ...base, total: base.total + 1 };
  if (!r.valid) next.invalid++;
  else if (r.colour3 === 0) next.pass++;
  else next.stop++;
  store.set(COUNTERS_KEY, next);
  return next;
}

export function resetCounters(): Counters {
  const c = { day: today(), total: 0, pass: 0, stop: 0, invalid: 0 };
  store.set(COUNTERS_KEY, c);
  return c;
}

/** A short beep for pass, three low beeps for stop or invalid; vibration where there is no sound. */
export function signal(pass: boolean): void {
  try {
    navigator.vibrate?.(pass ? 120 : [200, 100, 200, 100, 200]);
  } catch {
    /* not supported */
  }
  const Ctx = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctx) return;
  try {
    audio ??= new Ctx();
    const ac = audio;
    void ac.resume();
    const beeps = pass ? [0] : [0, 0.25, 0.5];
    for (const start of beeps) {
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.frequency.value = pass ? 1320 : 440;
      osc.type = pass ? 'sine' : 'square';
      gain.gain.setValueAtTime(0.25, ac.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.001, ac.currentTime + start + 0.18);
      osc.connect(gain).connect(ac.destination);
      osc.start(ac.currentTime + start);
      osc.stop(ac.currentTime + start + 0.2);
    }
  } catch {
    /* audio blocked until the first tap: vibration and the screen still signal */
  }
}
let audio: AudioContext | undefined;
