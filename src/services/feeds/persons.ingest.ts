/**
 * The identity feed: registry rows become persons (hashed and encrypted by ResidentService).
 * A batch is one transaction: its source ids are claimed and its persons inserted together, so a
 * killed import leaves whole batches and a re-run counts them as duplicates.
 */
import crypto from 'node:crypto';
import type { NewPersonRow } from '../../ports/person-store.port.ts';
import { checkPersonRecord } from '../../domain/feeds/identity.feed.ts';
import { normaliseKeys, recordProblem, rowError } from '../../domain/feeds/record.ts';
import { newCodeSubject } from '../../domain/token/subject.ts';
import { emptyResult, type BatchResult, type FeedDeps, type IngestItem } from './feed-types.ts';

export const PERSONS_FEED = 'persons';

/** Validates, de-duplicates (by source id, then by document) and stores one batch of persons. */
export async function ingestPersons(d: FeedDeps, items: readonly IngestItem[]): Promise<BatchResult> {
  const out = emptyResult();
  const good: Array<{ line: number; sourceId: string; row: NewPersonRow; docKey: string }> = [];
  const seen = new Set<string>();
  const seenDocs = new Set<string>();
  for (const it of items) {
    const r = normaliseKeys(it.record);
    const p = recordProblem(r);
    if (p) {
      out.errors.push(rowError(it.line, p));
      continue;
    }
    const c = checkPersonRecord(r);
    if (!c.ok) {
      out.errors.push(rowError(it.line, c.problem, r.source_id));
      continue;
    }
    const rec = c.value;
    const checked = d.residents.check({ ...rec, source: PERSONS_FEED, sourceRecordId: rec.sourceId });
    if (!checked.ok) {
      out.errors.push(
        rowError(
          it.line,
          { field: checked.field, code: checked.code, message: checked.message },
          rec.sourceId,
        ),
      );
      continue;
    }
    const docKey = `${checked.row.docType}:${Buffer.from(checked.row.docHash).toString('hex')}`;
    // The same record twice in one file, or the same document under two source ids: duplicates.
    if (seen.has(rec.sourceId) || seenDocs.has(docKey)) {
      out.duplicates++;
      continue;
    }
    seen.add(rec.sourceId);
    seenDocs.add(docKey);
    good.push({
      line: it.line,
      sourceId: rec.sourceId,
      docKey,
      row: { ...checked.row, codeSubject: newCodeSubject(crypto.randomBytes(12)) },
    });
  }
  if (good.length === 0) return out;
  await d.uow.run(async (s) => {
    const fresh = await s.feeds.claimSourceIds(
      PERSONS_FEED,
      good.map((g) => ({ sourceId: g.sourceId, personId: null })),
    );
    const toInsert = good.filter((g) => fresh.has(g.sourceId));
    out.duplicates += good.length - toInsert.length;
    const ids = await s.registrations.insertMany(toInsert.map((g) => g.row));
    const pairs: Array<{ sourceId: string; personId: number }> = [];
    toInsert.forEach((g, i) => {
      const id = ids[i];
      if (id === undefined)
        out.duplicates++; // document already registered under another source id
      else {
        out.accepted++;
        pairs.push({ sourceId: g.sourceId, personId: id });
      }
    });
    await s.feeds.setSourcePersons(PERSONS_FEED, pairs);
  });
  return out;
}
