/**
 * `hc places`: risk areas (list, publish, lift, history, re-match sweep) and venues (register,
 * poster) from the operator's shell. Acts as 'cli' with the whole province in scope.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { AreaLevel } from '../../geo/areas/area-index.ts';
import type { AreaInput } from '../../services/places/risk-area.service.ts';
import { fail, withContext } from '../context.ts';

const CLI = { actor: 'cli', regionPrefix: '' };

export function registerPlacesCommand(program: Command): void {
  const places = program.command('places').description('风险区与场所码 Risk areas, venues, itinerary');
  const areas = places.command('areas').description('风险区 Risk areas');

  areas
    .command('list')
    .description('当前风险区 Areas active now (GeoJSON FeatureCollection)')
    .action(() =>
      withContext(
        async (ctx) =>
          void process.stdout.write(JSON.stringify(await ctx.places.areas.current(), null, 2) + '\n'),
      ),
    );

  areas
    .command('publish')
    .description('发布风险区并回溯匹配14天 Publish an area and re-match the last 14 days')
    .requiredOption('--name <name>', '名称 name')
    .requiredOption('--level <level>', 'high | medium | low')
    .option(
      '--geojson <file>',
      'GeoJSON Polygon/MultiPolygon file (a Feature or FeatureCollection works too: the first geometry)',
    )
    .option('--center <lat,lon>', '圆心 circle centre')
    .option('--radius <m>', '半径(米) circle radius, metres')
    .option('--admin-code <code>', '区划代码 county (6), street (9) or community (12) code')
    .option('--region <code>', '所在区县 6-digit county the drawn area lies in')
    .option('--starts-at <iso>', '开始时间 start (default now)')
    .option('--lifts-at <iso>', '计划解除时间 planned lift time')
    .action(
      (o: {
        name: string;
        level: string;
        geojson?: string;
        center?: string;
        radius?: string;
        adminCode?: string;
        region?: string;
        startsAt?: string;
        liftsAt?: string;
      }) =>
        withContext(async (ctx) => {
          if (!['high', 'medium', 'low'].includes(o.level))
            return fail('--level must be high, medium or low');
          const input: AreaInput = { name: o.name, level: o.level as AreaLevel };
          if (o.geojson) {
            const doc = JSON.parse(fs.readFileSync(o.geojson, 'utf8')) as {
              type?: string;
              geometry?: unknown;
              features?: Array<{ geometry?: unknown }>;
            };
            input.geometry =
              doc.type === 'FeatureCollection'
                ? doc.features?.[0]?.geometry
                : doc.type === 'Feature'
                  ? doc.geometry
                  : doc;
          }
          if (o.center) {
            const [lat, lon] = o.center.split(',').map(Number);
            input.center = { lat: lat as number, lon: lon as number };
            input.radiusM = Number(o.radius ?? 100);
          }
          if (o.adminCode) input.adminCode = o.adminCode;
          if (o.region) input.regionCode = o.region;
          if (o.startsAt) input.startsAt = o.startsAt;
          if (o.liftsAt) input.liftedAt = o.liftsAt;
          const r = await ctx.places.areas.publish(CLI, input);
          process.stdout.write(
            `area ${r.area.id} published; re-matched ${r.rematch.stays} stays → ${r.rematch.facts} new facts for ${r.rematch.persons} persons in ${r.rematch.ms} ms\n`,
          );
        }),
    );

  areas
    .command('lift <id>')
    .description('解除风险区 Lift an area (now, or --at)')
    .option('--at <iso>', 'lift time')
    .action((id: string, o: { at?: string }) =>
      withContext(async (ctx) => {
        const r = await ctx.places.areas.lift(CLI, Number(id), o.at);
        process.stdout.write(`area ${id} lifted at ${String(r.area.properties.liftedAt)}\n`);
      }),
    );

  areas
    .command('history <id>')
    .description('变更历史 Who changed what, when')
    .action((id: string) =>
      withContext(
        async (ctx) =>
          void process.stdout.write(
            JSON.stringify(await ctx.places.areas.withHistory(CLI, Number(id)), null, 2) + '\n',
          ),
      ),
    );

  places
    .command('sweep')
    .description('重新匹配停留记录 Match the stays of the last N hours against every area (idempotent)')
    .option('--hours <n>', 'hours back', '24')
    .action((o: { hours: string }) =>
      withContext(async (ctx) => {
        const now = ctx.clock.now();
        const r = await ctx.places.matcher.sweep(
          new Date(now - Number(o.hours) * 3_600_000),
          new Date(now + 1),
        );
        process.stdout.write(
          `${r.stays} stays, ${r.matches} matches, ${r.facts} new facts for ${r.persons} persons in ${r.ms} ms\n`,
        );
      }),
    );

  const venues = places.command('venues').description('场所 Venues');
  venues
    .command('add')
    .description('登记场所并打印操作设备密钥 Register a venue and print its operator API key (shown once)')
    .requiredOption('--name <name>')
    .requiredOption('--category <c>', '类别 category')
    .requiredOption('--address <a>')
    .requiredOption('--lat <lat>')
    .requiredOption('--lon <lon>')
    .requiredOption('--admin-code <code>', 'county, street or community code')
    .action(
      (o: { name: string; category: string; address: string; lat: string; lon: string; adminCode: string }) =>
        withContext(async (ctx) => {
          await ctx.keys.ensureKey();
          const r = await ctx.places.venues.register(CLI, {
            ...o,
            lat: Number(o.lat),
            lon: Number(o.lon),
          });
          process.stdout.write(
            `venue ${r.venue.id} ${r.venue.name}\noperator device ${r.operator.deviceId} X-Api-Key: ${r.operator.apiKey}\n`,
          );
        }),
    );
  venues
    .command('poster <id>')
    .description('打印场所码海报 Write the printable SVG poster')
    .option('--out <file>', 'output file', 'venue-poster.svg')
    .action((id: string, o: { out: string }) =>
      withContext(async (ctx) => {
        await ctx.keys.ensureKey();
        const p = ctx.places;
        const v = await p.venues.get(Number(id));
        if (!v) return fail(`no venue ${id}`);
        fs.writeFileSync(o.out, await p.venues.posterSvg(v));
        process.stdout.write(`poster written to ${o.out}\n`);
      }),
    );
}
