/**
 * Sample collection (采样): a collector device scans each resident's code (JKM1) or document and
 * the tube's barcode, and uploads scans singly or in batches. Codes are verified against the
 * platform's trust list with the same offline verifier the device runs; a code that expired
 * after it was scanned is still accepted when the scan time falls inside its validity (devices
 * work offline and upload later). Writing is group-committed by the CollectionWriter.
 */
import { validateDocument } from '../../domain/document-number.ts';
import { isSubject, type ItemOutcome, type Registration, type TubeOpen } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { CollectionSink } from '../../ports/nat.port.ts';
import { createVerifier, type TrustList, type Verifier } from '../../verifier/index.ts';
import { AppError } from '../app-error.ts';

export interface ScanInput {
  tube: string;
  /** the resident's JKM1 code text as scanned */
  code?: string;
  /** the code's subject, when the device verified the code itself (offline protocol) */
  subject?: string;
  /** a scanned identity document */
  doc?: { type: number; number: string };
  /** epoch ms or ISO time of the swab; default: now */
  collectedAt?: number | string;
  /** the device's own id for the scan, echoed back */
  ref?: string;
}

export interface CollectionRequest {
  deviceId: number;
  siteId: number | null;
  tubes: readonly TubeOpen[];
  items: readonly ScanInput[];
}

export interface CollectionResponse {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** one per item, in order: accepted | duplicate | an error code */
  items: Array<{ ref?: string; status: string; message?: string }>;
}

const MAX_AGE_MS = 7 * 86400_000;
const MAX_AHEAD_MS = 5 * 60_000;

export interface CollectionDeps {
  writer: CollectionSink;
  clock: Clock;
  /** the platform's trust list (own issuer): codes of other issuers name no resident here */
  trustList: () => Promise<TrustList>;
  /** keyed hash of a document, as the registry stores it */
  docHash: (docType: number, number: string) => Buffer;
}

export class CollectionService {
  private verifier: Verifier | undefined;
  private builtFrom: TrustList | undefined;

  constructor(private readonly deps: CollectionDeps) {}

  /** Registers scans; resolves only when the accepted ones are durably stored. */
  async collect(req: CollectionRequest): Promise<CollectionResponse> {
    const now = this.deps.clock.now();
    // Only codes need the (asynchronous) signature check; subjects and documents resolve at once.
    const resolved = req.items.some((i) => i.code !== undefined)
      ? await Promise.all(req.items.map((i) => this.resolve(i, now)))
      : req.items.map((i) => this.resolveSync(i, now));
    const regs: Registration[] = [];
    for (const r of resolved) if ('personRef' in r) regs.push(r);
    let written: ItemOutcome[];
    try {
      written = regs.length
        ? await this.deps.writer.submit({
            deviceId: req.deviceId,
            siteId: req.siteId,
            tubes: req.tubes,
            items: regs,
          })
        : [];
    } catch (err) {
      throw new AppError(
        'TESTING_STORE_UNAVAILABLE',
        503,
        `nothing from this batch was stored; send it again (${(err as Error).message})`,
        undefined,
        1,
      );
    }
    const out: CollectionResponse = { accepted: 0, duplicates: 0, rejected: 0, items: [] };
    let w = 0;
    req.items.forEach((item, i) => {
      const r = resolved[i] as Registration | { code: string; message: string };
      const o: ItemOutcome =
        'personRef' in r
          ? (written[w++] as ItemOutcome)
          : { status: 'rejected', code: r.code, message: r.message };
      const line: { ref?: string; status: string; message?: string } = {
        status: o.status === 'rejected' ? o.code : o.status,
      };
      if (item.ref !== undefined) line.ref = item.ref;
      if (o.status === 'rejected') line.message = o.message;
      else if (o.status === 'accepted') out.accepted++;
      else out.duplicates++;
      if (o.status === 'rejected') out.rejected++;
      out.items.push(line);
    });
    return out;
  }

  private async resolve(
    item: ScanInput,
    now: number,
  ): Promise<Registration | { code: string; message: string }> {
    if (item.code === undefined) return this.resolveSync(item, now);
    const at = this.scanTime(item, now);
    if (typeof at !== 'number') return at;
    if (item.subject !== undefined || item.doc !== undefined)
      return { code: 'SCAN_NO_PERSON', message: 'give exactly one of code, subject, doc' };
    const sub = await this.subjectOfCode(item.code, at);
    if (typeof sub !== 'string') return sub;
    return { tube: item.tube, personRef: `s:${sub}`, collectedAt: at };
  }

  private scanTime(item: ScanInput, now: number): number | { code: string; message: string } {
    const at =
      item.collectedAt === undefined
        ? now
        : typeof item.collectedAt === 'number'
          ? item.collectedAt
          : Date.parse(item.collectedAt);
    if (!Number.isFinite(at)) return { code: 'SCAN_BAD_TIME', message: 'collectedAt is not a time' };
    if (at > now + MAX_AHEAD_MS || at < now - MAX_AGE_MS)
      return { code: 'SCAN_BAD_TIME', message: 'collectedAt must be within the last 7 days' };
    return at;
  }

  private resolveSync(item: ScanInput, now: number): Registration | { code: string; message: string } {
    const at = this.scanTime(item, now);
    if (typeof at !== 'number') return at;
    if ((item.subject === undefined) === (item.doc === undefined) || item.code !== undefined) {
      return { code: 'SCAN_NO_PERSON', message: 'give exactly one of code, subject, doc' };
    }
    if (item.subject !== undefined) {
      if (!isSubject(item.subject))
        return { code: 'SCAN_BAD_SUBJECT', message: 'subject is not a code subject' };
      return { tube: item.tube, personRef: `s:${item.subject}`, collectedAt: at };
    }
    const doc = item.doc as { type: number; number: string };
    const d = validateDocument(doc.type, doc.number);
    if (!d.ok) return { code: d.code, message: d.message };
    return {
      tube: item.tube,
      personRef: `d:${d.docType}:${this.deps.docHash(d.docType, d.number).toString('hex')}`,
      collectedAt: at,
    };
  }

  private async subjectOfCode(
    token: string,
    scannedAt: number,
  ): Promise<string | { code: string; message: string }> {
    const trust = await this.deps.trustList();
    if (!this.verifier || this.builtFrom !== trust) {
      this.verifier = createVerifier(trust);
      this.builtFrom = trust;
    }
    const r = await this.verifier.verify(token.trim(), Math.floor(scannedAt / 1000));
    if (r.valid) return r.claims.sub;
    return {
      code: r.reason,
      message: `the code does not verify (${r.reason}); scan it again or scan the ID document`,
    };
  }
}
