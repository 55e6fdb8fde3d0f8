/**
 * GB/T 35273 de-identification (docs/SECURITY.md §Personal data at rest): no combination of the
 * plain columns of any table rebuilds a resident's document number. The attacker modelled here
 * holds a copy of the database without the master key and assumes the most helpful reading of
 * every plain column: the home county is the ID's region, the birth year its year, the sex its
 * sequence parity, the mask's visible characters the ID's characters.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, createTestDatabase, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import { makeResidentId, residentIdCheckChar } from '../domain/document-number.ts';
import { migrationFiles, PLATFORM_MIGRATIONS } from '../adapters/db/migrate.ts';
import { createSecrets } from '../adapters/crypto/secrets.ts';
import { PersonRepository } from '../adapters/repositories/person.repository.ts';
import { ManualClock } from '../ports/clock.port.ts';
import { ResidentService } from './resident.service.ts';

/** Every non-bytea column of persons, each reviewed for what it tells about the document number. */
const PLAIN_PERSON_COLUMNS = [
  'birth_year', // the ID's characters 7–10: modelled
  'code_subject', // random (≥ 80 bits), unrelated to the document
  'created_at',
  'doc_masked', // first and last character: modelled
  'doc_type',
  'guardian_id',
  'id',
  'name_masked',
  'region_code', // the county: modelled as the ID's characters 1–6
  'sex', // parity of the ID's character 17: modelled
  'source',
  'source_record_id', // the registry's own record id
];

interface PlainRow {
  doc_masked: string;
  region_code: string | null;
  sex: string | null;
  birth_year?: number | null;
  birth_date?: Date | string | null;
}

/** How many valid 18-character resident IDs agree with everything the plain columns say. */
function candidates(row: PlainRow): number {
  const mask = row.doc_masked;
  if (mask.length !== 18 || !row.region_code) return Infinity;
  const days: string[] = [];
  if (row.birth_date) days.push(new Date(row.birth_date).toISOString().slice(0, 10).replaceAll('-', ''));
  else {
    const years = row.birth_year ? [row.birth_year] : [];
    for (const y of years)
      for (let t = Date.UTC(y, 0, 1); new Date(t).getUTCFullYear() === y; t += 86_400_000)
        days.push(new Date(t).toISOString().slice(0, 10).replaceAll('-', ''));
  }
  const fits = (id: string) => {
    for (let i = 0; i < 18; i++) if (mask[i] !== '*' && mask[i] !== id[i]) return false;
    return true;
  };
  let n = 0;
  for (const day of days)
    for (let seq = 0; seq < 1000; seq++) {
      if (row.sex && (seq % 2 === 1 ? 'M' : 'F') !== row.sex) continue;
      const first17 = row.region_code + day + String(seq).padStart(3, '0');
      if (fits(first17 + residentIdCheckChar(first17))) n++;
    }
  return n;
}

describe('no plain column rebuilds a document number', () => {
  let ctx: TestContext;
  const residents: Array<{ id: number; doc: string; birth: string }> = [];

  beforeAll(async () => {
    ctx = await createTestContext();
    const births = ['19500101', '19641231', '19780228', '19900307', '20010915', '20180630'];
    for (const [i, birth] of births.entries()) {
      for (const male of [true, false]) {
        const region = i % 2 === 0 ? '520102' : '520303';
        const doc = makeResidentId(region, birth, 100 + i * 37, male);
        const r = await createResident(ctx, { docNumber: doc, regionCode: region });
        residents.push({ id: r.id, doc, birth });
      }
    }
  });
  afterAll(async () => ctx?.destroy());

  it('persons keeps only reviewed plain columns', async () => {
    const cols = await ctx.db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_name = 'persons' AND table_schema = current_schema() AND data_type <> 'bytea'
        ORDER BY column_name`,
    );
    expect(cols.rows.map((c) => c.column_name)).toEqual(PLAIN_PERSON_COLUMNS);
  });

  it('every seeded resident has at least 1000 candidate numbers, their own among them', async () => {
    for (const r of residents) {
      const row = (await ctx.db.query<PlainRow>('SELECT * FROM persons WHERE id = $1', [r.id])).rows[0]!;
      // The model is right: the true number is one of the candidates it counts…
      expect(row.doc_masked[0]).toBe(r.doc[0]);
      expect(row.doc_masked.at(-1)).toBe(r.doc.at(-1));
      expect(row.doc_masked.slice(1, -1)).toMatch(/^\*{16}$/);
      // …and it is one in thousands.
      expect(candidates(row), r.doc).toBeGreaterThanOrEqual(1000);
    }
    // The old columns (full birth date, last four characters) left exactly one.
    const r0 = residents[0]!;
    expect(
      candidates({
        doc_masked: r0.doc.slice(0, 4) + '*'.repeat(10) + r0.doc.slice(-4),
        region_code: r0.doc.slice(0, 6),
        sex: null,
        birth_date: `${r0.birth.slice(0, 4)}-${r0.birth.slice(4, 6)}-${r0.birth.slice(6)}`,
      }),
    ).toBe(1);
  });

  it('no plain column of any table holds a number, its birth date or its region and birth date', async () => {
    const tables = await ctx.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    let dump = '';
    for (const { table_name } of tables.rows) {
      const rows = await ctx.db.query<Record<string, unknown>>(`SELECT * FROM "${table_name}"`);
      // bytea is ciphertext or a keyed hash; everything else is plain
      dump += JSON.stringify(rows.rows, (_k, v: unknown) => (v instanceof Uint8Array ? null : v));
    }
    expect(dump.length).toBeGreaterThan(1000);
    for (const r of residents) {
      const iso = `${r.birth.slice(0, 4)}-${r.birth.slice(4, 6)}-${r.birth.slice(6)}`;
      for (const secret of [r.doc, r.doc.slice(0, 14), r.doc.slice(6, 14), iso])
        expect(dump.includes(secret), `${secret} of ${r.doc}`).toBe(false);
    }
  });

  it('the resident still reads their full birth date and mask (GET /v1/me profile)', async () => {
    const r = residents[3]!;
    const p = await ctx.residents.profile(r.id);
    expect(p?.birthDate).toBe(`${r.birth.slice(0, 4)}-${r.birth.slice(4, 6)}-${r.birth.slice(6)}`);
    expect(p?.docMasked).toBe(`${r.doc[0]}${'*'.repeat(16)}${r.doc.at(-1)}`);
  });
});

describe('migration 0460 rewrites stored rows', () => {
  it('drops the birth date for the year and shortens old masks; the profile derives the date', async () => {
    const tdb = await createTestDatabase({ migrated: false });
    try {
      const files = migrationFiles(PLATFORM_MIGRATIONS);
      const run = (sql: string) => tdb.db.transaction((tx) => tx.exec(sql));
      for (const f of files.filter((m) => m.name < '0460')) await run(f.sql);
      const secrets = createSecrets(crypto.randomBytes(32));
      const doc = makeResidentId('520102', '19870514', 211, true);
      await tdb.db.query(
        `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, sex, birth_date,
           region_code, code_subject)
         VALUES (10, $1, $2, $3, $4, '王*', 'M', '1987-05-14', '520102', 'sub-migrated'),
                (20, $5, $6, 'E1*****78', $7, '李*', NULL, '1970-02-03', NULL, 'sub-passport')`,
        [
          secrets.lookupHash(`10:${doc}`),
          secrets.encrypt(doc),
          doc.slice(0, 4) + '*'.repeat(10) + doc.slice(-4),
          secrets.encrypt('王五'),
          secrets.lookupHash('20:E12345678'),
          secrets.encrypt('E12345678'),
          secrets.encrypt('李四'),
        ],
      );
      await run(files.find((m) => m.name.startsWith('0460'))!.sql);
      const rows = (
        await tdb.db.query<PlainRow & { id: number; code_subject: string }>(
          'SELECT * FROM persons ORDER BY code_subject',
        )
      ).rows;
      expect(rows.map((r) => [r.code_subject, r.doc_masked, r.birth_year, 'birth_date' in r])).toEqual([
        ['sub-migrated', `5${'*'.repeat(16)}${doc.at(-1)}`, 1987, false],
        ['sub-passport', 'E*******8', 1970, false],
      ]);
      expect(candidates(rows[0]!)).toBeGreaterThanOrEqual(1000);
      const residentsService = new ResidentService(new PersonRepository(tdb.db), secrets, new ManualClock(0));
      expect((await residentsService.profile(rows[0]!.id))?.birthDate).toBe('1987-05-14');
      expect((await residentsService.profile(rows[1]!.id))?.birthDate).toBeNull();
    } finally {
      await tdb.drop();
    }
  }, 300_000); // every migration from an empty database, on a shared machine
});
