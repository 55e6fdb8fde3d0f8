/**
 * A batching collector-device load generator: each simulated site device sends batches of scans
 * (pooled tubes of 20 filled in order) and keeps the next batch waiting until the previous one is
 * acknowledged, as the device protocol prescribes. Every acknowledged registration is remembered
 * so the bench can prove it is in the database afterwards.
 */
import crypto from 'node:crypto';
import { makeResidentId } from '../../src/domain/document-number.ts';

export interface LoadOptions {
  url: string;
  apiKeys: string[];
  seconds: number;
  batch: number;
  /** share of scans sent as identity documents (the rest: code subjects verified on the device) */
  docShare: number;
  /** keyed document hash, to know the person reference the server will store */
  docRef: (docType: number, number: string) => string;
  /** share of scans sent as JKM1 codes, verified by the service (signature check per scan) */
  codeShare: number;
  /** issued codes to scan: text, subject and the moment it was scanned (inside its validity) */
  codes: Array<{ token: string; subject: string; scannedAt: number }>;
}

export interface LoadResult {
  acked: string[];
  perSecond: number[];
  requests: number;
  failedRequests: number;
  latenciesMs: number[];
  elapsedMs: number;
}

let tubeSeq = 0;

function makeBatch(device: number, size: number, o: LoadOptions) {
  const { docShare, docRef, codeShare, codes } = o;
  const tubes: Array<{ barcode: string; kind: 'pool20' }> = [];
  const items: Array<{
    tube: string;
    subject?: string;
    code?: string;
    doc?: { type: number; number: string };
    collectedAt: number;
  }> = [];
  const keys: string[] = [];
  const now = Date.now();
  for (let i = 0; i < size; i++) {
    if (i % 20 === 0)
      tubes.push({ barcode: `B${device.toString(36)}T${(tubeSeq++).toString(36)}`, kind: 'pool20' });
    const tube = (tubes[tubes.length - 1] as { barcode: string }).barcode;
    const dice = Math.random();
    const code = codes[Math.floor(Math.random() * codes.length)];
    if (code && dice < codeShare) {
      items.push({ tube, code: code.token, collectedAt: code.scannedAt });
      keys.push(`${tube}|s:${code.subject}`);
    } else if (dice < codeShare + docShare) {
      const n = crypto.randomInt(0, 2 ** 31);
      const birth = `19${50 + (n % 50)}${String(1 + (Math.floor(n / 50) % 12)).padStart(2, '0')}${String(1 + (Math.floor(n / 600) % 28)).padStart(2, '0')}`;
      const number = makeResidentId('520102', birth, Math.floor(n / 16800) % 1000, n % 2 === 0);
      items.push({ tube, doc: { type: 10, number }, collectedAt: now });
      keys.push(`${tube}|${docRef(10, number)}`);
    } else {
      const subject = crypto.randomBytes(12).toString('base64url');
      items.push({ tube, subject, collectedAt: now });
      keys.push(`${tube}|s:${subject}`);
    }
  }
  return { body: JSON.stringify({ tubes, items }), keys };
}

/** Drives the collection endpoint with one loop per device key for `seconds`. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const acked: string[] = [];
  const start = Date.now();
  const end = start + o.seconds * 1000;
  const perSecond = new Array<number>(Math.ceil(o.seconds) + 5).fill(0);
  const latenciesMs: number[] = [];
  let requests = 0;
  let failedRequests = 0;
  const device = async (d: number, key: string) => {
    let next = makeBatch(d, o.batch, o);
    while (Date.now() < end) {
      const t0 = performance.now();
      requests++;
      try {
        const res = await fetch(`${o.url}/testing/v1/collections`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: next.body,
        });
        const text = await res.text();
        if (res.status !== 200) {
          failedRequests++;
          continue; // the device re-sends the same batch: duplicates are acknowledged as such
        }
        const r = JSON.parse(text) as { items: Array<{ status: string }> };
        r.items.forEach((it, i) => {
          if (it.status === 'accepted' || it.status === 'duplicate') acked.push(next.keys[i] as string);
        });
        latenciesMs.push(performance.now() - t0);
        const sec = Math.floor((Date.now() - start) / 1000);
        perSecond[sec] = (perSecond[sec] ?? 0) + r.items.length;
        next = makeBatch(d, o.batch, o);
      } catch {
        failedRequests++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await Promise.all(o.apiKeys.map((k, i) => device(i, k)));
  return {
    acked,
    perSecond: perSecond.slice(0, Math.ceil(o.seconds)),
    requests,
    failedRequests,
    latenciesMs,
    elapsedMs: Date.now() - start,
  };
}
