/** Residents (persons table): identifiers stored hashed and encrypted, never in clear. */
import type {
  NewPersonRow,
  PersonDisplay,
  PersonRegistry,
  PersonRow,
  PersonStore,
} from '../../ports/person-store.port.ts';
import type { Queryable } from '../db/database.ts';
import { intArray } from '../db/pg-params.ts';

const COLUMNS = `id, doc_type, doc_enc, doc_masked, name_enc, name_masked, sex, birth_year, birth_enc, phone_enc, region_code, address_enc, code_subject, guardian_id`;

export type { NewPersonRow, PersonDisplay, PersonRow };

export class PersonRepository implements PersonStore, PersonRegistry {
  constructor(private readonly db: Queryable) {}

  /** Inserts unless the same document exists; returns the id and whether it was new. */
  async insert(p: NewPersonRow, q: Queryable = this.db): Promise<{ id: number; created: boolean }> {
    const ins = await q.query<{ id: number }>(
      `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, sex, birth_year, birth_enc,
         phone_hash, phone_enc, region_code, address_enc, code_subject, guardian_id, source, source_record_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       ON CONFLICT (doc_type, doc_hash) DO NOTHING RETURNING id`,
      [
        p.docType,
        p.docHash,
        p.docEnc,
        p.docMasked,
        p.nameEnc,
        p.nameMasked,
        p.sex,
        p.birthYear,
        p.birthEnc,
        p.phoneHash,
        p.phoneEnc,
        p.regionCode,
        p.addressEnc,
        p.codeSubject,
        p.guardianId,
        p.source,
        p.sourceRecordId,
      ],
    );
    if (ins.rows[0]) return { id: ins.rows[0].id, created: true };
    const existing = await q.query<{ id: number }>(
      'SELECT id FROM persons WHERE doc_type = $1 AND doc_hash = $2',
      [p.docType, p.docHash],
    );
    return { id: existing.rows[0]!.id, created: false };
  }

  /**
   * Inserts many persons in one statement; rows whose document exists are skipped. Returns the
   * ids of new rows by index into `rows` (undefined where skipped).
   */
  async insertMany(
    rows: readonly NewPersonRow[],
    q: Queryable = this.db,
  ): Promise<Array<number | undefined>> {
    if (rows.length === 0) return [];
    const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : null);
    const cols = {
      ord: rows.map((_, i) => i),
      docType: rows.map((r) => r.docType),
      docHash: rows.map((r) => hex(r.docHash)),
      docEnc: rows.map((r) => hex(r.docEnc)),
      docMasked: rows.map((r) => r.docMasked),
      nameEnc: rows.map((r) => hex(r.nameEnc)),
      nameMasked: rows.map((r) => r.nameMasked),
      sex: rows.map((r) => r.sex),
      birthYear: rows.map((r) => r.birthYear),
      birthEnc: rows.map((r) => hex(r.birthEnc)),
      phoneHash: rows.map((r) => hex(r.phoneHash)),
      phoneEnc: rows.map((r) => hex(r.phoneEnc)),
      region: rows.map((r) => r.regionCode),
      addressEnc: rows.map((r) => hex(r.addressEnc)),
      sub: rows.map((r) => r.codeSubject),
      guardian: rows.map((r) => r.guardianId),
      source: rows.map((r) => r.source),
      sourceId: rows.map((r) => r.sourceRecordId),
    };
    const res = await q.query<{ id: number; code_subject: string }>(
      `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, sex, birth_year, birth_enc,
         phone_hash, phone_enc, region_code, address_enc, code_subject, guardian_id, source, source_record_id)
       SELECT t.dt, decode(t.dh, 'hex'), decode(t.de, 'hex'), t.dm, decode(t.ne, 'hex'), t.nm, t.sx, t.by,
              decode(t.be, 'hex'), decode(t.ph, 'hex'), decode(t.pe, 'hex'), t.rc, decode(t.ae, 'hex'), t.sub, t.g, t.src, t.sid
         FROM unnest($1::int[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::smallint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                     $16::bigint[], $17::text[], $18::text[])
              AS t(ord, dt, dh, de, dm, ne, nm, sx, by, be, ph, pe, rc, ae, sub, g, src, sid)
        ORDER BY t.ord
       ON CONFLICT (doc_type, doc_hash) DO NOTHING
       RETURNING id, code_subject`,
      [
        cols.ord,
        cols.docType,
        cols.docHash,
        cols.docEnc,
        cols.docMasked,
        cols.nameEnc,
        cols.nameMasked,
        cols.sex,
        cols.birthYear,
        cols.birthEnc,
        cols.phoneHash,
        cols.phoneEnc,
        cols.region,
        cols.addressEnc,
        cols.sub,
        cols.guardian,
        cols.source,
        cols.sourceId,
      ],
    );
    const bySub = new Map(res.rows.map((r) => [r.code_subject, r.id]));
    return rows.map((r) => bySub.get(r.codeSubject));
  }

  async byId(id: number): Promise<PersonRow | undefined> {
    return (await this.db.query<PersonRow>(`SELECT ${COLUMNS} FROM persons WHERE id = $1`, [id])).rows[0];
  }

  async idsByDocHash(docType: number, docHash: Uint8Array): Promise<number | undefined> {
    return (
      await this.db.query<{ id: number }>('SELECT id FROM persons WHERE doc_type = $1 AND doc_hash = $2', [
        docType,
        docHash,
      ])
    ).rows[0]?.id;
  }

  /** Every person registered with this phone (a phone may hold a family's registrations). */
  async byPhoneHash(phoneHash: Uint8Array): Promise<PersonRow[]> {
    return (
      await this.db.query<PersonRow>(`SELECT ${COLUMNS} FROM persons WHERE phone_hash = $1 ORDER BY id`, [
        phoneHash,
      ])
    ).rows;
  }

  async bySubject(sub: string): Promise<PersonRow | undefined> {
    return (await this.db.query<PersonRow>(`SELECT ${COLUMNS} FROM persons WHERE code_subject = $1`, [sub]))
      .rows[0];
  }

  async dependentsOf(guardianId: number): Promise<PersonRow[]> {
    return (
      await this.db.query<PersonRow>(`SELECT ${COLUMNS} FROM persons WHERE guardian_id = $1 ORDER BY id`, [
        guardianId,
      ])
    ).rows;
  }

  /** Display essentials for many persons (recompute batches). */
  async subjectsAndNames(ids: readonly number[]): Promise<Map<number, PersonDisplay>> {
    const rows = await this.db.query<{ id: number; code_subject: string; name_masked: string }>(
      'SELECT id, code_subject, name_masked FROM persons WHERE id = ANY($1::bigint[])',
      [intArray(ids)],
    );
    return new Map(rows.rows.map((r) => [r.id, { sub: r.code_subject, maskedName: r.name_masked }]));
  }

  /** Ids in ascending order after `afterId`, for batched walks over everyone. */
  async idsAfter(afterId: number, limit: number): Promise<number[]> {
    return (
      await this.db.query<{ id: number }>('SELECT id FROM persons WHERE id > $1 ORDER BY id LIMIT $2', [
        afterId,
        limit,
      ])
    ).rows.map((r) => r.id);
  }

  async regionOf(personId: number): Promise<string | undefined> {
    const r = (
      await this.db.query<{ region_code: string | null }>('SELECT region_code FROM persons WHERE id = $1', [
        personId,
      ])
    ).rows[0];
    return r === undefined ? undefined : (r.region_code ?? '');
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM persons')).rows[0]?.n ?? 0;
  }
}
