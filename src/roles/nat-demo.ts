/**
 * Demo mode only: a collector device, a lab device and a testing site with today's slots, made
 * once and remembered in `settings` (testing.demo), so the testing API can be tried at once.
 */
import type { AppContext } from './context.ts';
import type { NatModule } from './nat.module.ts';

export interface TestingDemo {
  testerKey: string;
  labKey: string;
  siteId: number;
}

/** Creates (first start) or reads the demo devices and site. */
export async function ensureTestingDemo(ctx: AppContext, t: NatModule): Promise<TestingDemo> {
  const key = 'testing.demo';
  const prev = (
    await ctx.db.query<{ value: TestingDemo }>('SELECT value FROM settings WHERE key = $1', [key])
  ).rows[0]?.value;
  if (prev) return prev;
  const tester = await ctx.auth.addDevice('演示采样设备 demo collector', 'tester', '520102');
  const lab = await ctx.auth.addDevice('演示检测实验室 demo lab', 'lab', '520102');
  const demoSeed = { actor: 'system:demo', regionPrefix: '' };
  const site = await t.sites.addSite(demoSeed, {
    name: '南明区人民广场采样点 Renmin Square site',
    regionCode: '520102',
    address: '贵阳市南明区人民广场',
  });
  const day = new Date(ctx.clock.now());
  day.setUTCHours(0, 0, 0, 0); // 08:00 Beijing time
  const slots = Array.from({ length: 24 }, (_, i) => ({
    startsAt: day.getTime() + i * 1800_000,
    endsAt: day.getTime() + (i + 1) * 1800_000,
    capacity: 200,
  }));
  await t.sites.addSlots(demoSeed, site.id, [
    ...slots,
    ...slots.map((s) => ({ ...s, startsAt: s.startsAt + 86400_000, endsAt: s.endsAt + 86400_000 })),
  ]);
  const demo: TestingDemo = { testerKey: tester.apiKey, labKey: lab.apiKey, siteId: site.id };
  await ctx.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    JSON.stringify(demo),
  ]);
  return demo;
}
