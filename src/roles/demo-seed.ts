/**
 * The demo city (Guiyang, issuer CN-52): a deterministic population with every colour present,
 * demo accounts for each colour, a scanner device, an officer and an administrator. Runs only on
 * an empty database.
 */
import crypto from 'node:crypto';
import type { FactData, FactType, NewFact } from '../domain/fact.ts';
import type { NewPersonRow } from '../ports/person-store.port.ts';
import { COLOUR5_NAMES, type Colour5Name } from '../domain/colour.ts';
import { makeResidentId } from '../domain/document-number.ts';
import { countiesOf } from '../domain/regions.ts';
import { newCodeSubject } from '../domain/token/subject.ts';
import type { AppContext } from './context.ts';

const H = 3_600_000;
const D = 24 * H;
const GUIYANG = '5201';

export interface DemoAccounts {
  residents: Array<{ phone: string; maskedName: string; colour: Colour5Name; note: string }>;
  scanner: { name: string; apiKey: string };
  officer: { username: string; password: string; regionPrefix: string };
  admin: { username: string; password: string };
}

/** Which scenario a resident gets: demo accounts first, then a realistic mix. */
function scenarioOf(i: number): Colour5Name {
  if (i < 5) return (['green', 'yellow', 'orange', 'red', 'purple'] as const)[i] as Colour5Name;
  const r = i % 1000;
  if (r < 2) return 'purple';
  if (r < 12) return 'red';
  if (r < 32) return 'orange';
  if (r < 62) return 'yellow';
  return 'green';
}

function factsFor(personId: number, scenario: Colour5Name, i: number, now: number): NewFact[] {
  /** A fact of this person from the demo source `tag`, `daysAgo` days before now. */
  const fact = (type: FactType, tag: string, daysAgo: number, data: FactData): NewFact => ({
    personId,
    type,
    source: `demo.${tag}`,
    sourceRecordId: `${tag}:${i}`,
    eventTime: now - daysAgo * D,
    data,
  });
  const out: NewFact[] = [];
  const doses = i % 10 === 9 ? 0 : 1 + (i % 3);
  for (let d = 1; d <= doses; d++)
    out.push(
      fact('vaccination', `vaccination-${d}`, 400 - d * 40, { dose: d, product: 'Sinovac-CoronaVac' }),
    );
  if (i % 3 === 0) out.push(fact('test_result', 'test', 1 + (i % 2), { result: 'negative' }));
  switch (scenario) {
    case 'purple':
      out.push(
        fact('case', 'case', 2, { kind: i % 2 ? 'asymptomatic' : 'confirmed', list: '卫健委确诊病例' }),
      );
      break;
    case 'red':
      out.push(
        fact('close_contact', 'close', 3, {
          lastExposureAt: now - 3 * D,
          list: '卫健委密接名单',
          tier: 'high',
        }),
      );
      break;
    case 'orange':
      out.push(
        i % 2
          ? fact('companion', 'companion', 1, { list: '电信时空伴随名单', tier: 'medium' })
          : fact('secondary_contact', 'secondary', 2, { list: '卫健委次密接名单', tier: 'medium' }),
      );
      break;
    case 'yellow':
      out.push(fact('city_with_cases_stay', 'stay', 4, { regionCode: '440100', list: '行程数据' }));
      break;
    case 'green':
      break;
  }
  return out;
}

/** Seeds the demo city if the database has no residents; returns the demo accounts. */
export async function seedDemoCity(
  ctx: AppContext,
  residents: number,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoAccounts | undefined> {
  if ((await ctx.repos.persons.count()) > 0) return undefined;
  // Loaded only when a city is seeded, and only the one locale (the same generator as the package's
  // fakerZH_CN): the whole package is 10 MB of locale data that takes 1.5 s to load.
  const { faker } = await import('@faker-js/faker/locale/zh_CN');
  faker.seed(52);
  const counties = countiesOf(GUIYANG);
  const now = ctx.clock.now();
  const accounts: DemoAccounts['residents'] = [];
  const batch = 1000;
  for (let start = 0; start < residents; start += batch) {
    const rows: NewPersonRow[] = [];
    const scenarios: Colour5Name[] = [];
    for (let i = start; i < Math.min(residents, start + batch); i++) {
      const county = counties[i % counties.length]!.code;
      const male = faker.datatype.boolean();
      const birth = faker.date.between({ from: '1940-01-01', to: '2019-12-31' }).toISOString().slice(0, 10);
      const docNumber = makeResidentId(
        county,
        birth.replaceAll('-', ''),
        Math.floor(i / counties.length) % 1000,
        male,
      );
      const name = faker.person.lastName() + faker.person.firstName(male ? 'male' : 'female');
      const phone = String(13900000000 + i);
      const c = ctx.residents.check({
        docType: 10,
        docNumber,
        name,
        phone,
        regionCode: county,
        sex: male ? 'M' : 'F',
        birthDate: birth,
        address: `贵州省贵阳市${faker.location.street()}${faker.number.int({ min: 1, max: 300 })}号`,
        source: 'demo.registry',
        sourceRecordId: `demo:${i}`,
      });
      if (!c.ok) throw new Error(`demo resident ${i} invalid: ${c.code}`);
      rows.push({ ...c.row, codeSubject: newCodeSubject(crypto.randomBytes(12)) });
      scenarios.push(scenarioOf(i));
      if (i < 5)
        accounts.push({ phone, maskedName: c.row.nameMasked, colour: scenarioOf(i), note: NOTES[i] ?? '' });
    }
    const ids = await ctx.repos.persons.insertMany(rows);
    const facts: NewFact[] = [];
    ids.forEach((id, k) => {
      if (id !== undefined) facts.push(...factsFor(id, scenarios[k] as Colour5Name, start + k, now));
    });
    await ctx.repos.facts.insertMany(facts, now);
    onProgress?.(Math.min(residents, start + batch), residents);
  }
  await ctx.keys.ensureKey();
  await ctx.statuses.recomputeAll();
  const scanner = await ctx.auth.addDevice('演示扫码枪 Demo scanner', 'scanner', '520102');
  // Random per deployment: the demo accounts route shows them, and nobody can guess them from the source.
  const demoPassword = () => `demo-${crypto.randomBytes(9).toString('base64url')}`;
  const officer = { username: 'officer', password: demoPassword(), regionPrefix: GUIYANG };
  const admin = { username: 'admin', password: demoPassword() };
  await ctx.auth.addStaff(
    officer.username,
    officer.password,
    '演示防疫人员 Demo officer',
    'officer',
    officer.regionPrefix,
  );
  await ctx.auth.addStaff(admin.username, admin.password, '演示管理员 Demo administrator', 'admin', '');
  const demo: DemoAccounts = {
    residents: accounts,
    scanner: { name: 'demo scanner', apiKey: scanner.apiKey },
    officer,
    admin,
  };
  await ctx.db.query(
    `INSERT INTO settings (key, value) VALUES ('demo.accounts', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(demo)],
  );
  return demo;
}

const NOTES = [
  '无异常 no risk',
  '14天内到过有病例城市 stayed in a city with cases',
  '时空伴随/次密接 companion or secondary contact',
  '密切接触者 close contact',
  '确诊病例 confirmed case',
];

export const DEMO_COLOURS = COLOUR5_NAMES;
