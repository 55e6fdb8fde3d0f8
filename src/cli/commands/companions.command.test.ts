import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerCompanionsCommand, runCompanionsCli } from './companions.command.ts';
import { registerGenPingsCommand } from './gen-pings.command.ts';
import { referenceCompanions, type Ping } from '../../geo/companion-reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'hc-companions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  mode: 'radius',
  radius: 800,
  cell: 800,
  gap: 1800,
  minSeconds: 600,
  threads: 1,
  progress: false,
};

describe('hc companions', () => {
  it('computes the reference pairs from a CSV, reports bad rows, and reads its binary conversion identically', async () => {
    const pings: Array<[string, number, number, number]> = [
      ['alice', 1000, 26.647, 106.6302],
      ['case1', 1200, 26.6471, 106.6303],
      ['alice', 2000, 26.647, 106.6302],
      ['bob', 1000, 26.7, 106.7],
      ['case2', 1500, 26.6472, 106.63],
      ['case1', 3000, 26.66, 106.64],
    ];
    const csv = [
      'person_id,ts,lat,lon',
      ...pings.map((p) => p.join(',')),
      'carol,xx,1,2',
      'dave,5,91,1',
      'eve,1',
    ].join('\n');
    writeFileSync(join(dir, 'p.csv'), csv + '\n');
    writeFileSync(join(dir, 'c.csv'), 'person_id\ncase1\ncase2\nnobody\n');
    const errors = join(dir, 'errors.txt');
    const n = await runCompanionsCli({
      ...base,
      pings: join(dir, 'p.csv'),
      cases: join(dir, 'c.csv'),
      out: join(dir, 'o.csv'),
      errors,
    });
    const names = ['alice', 'case1', 'bob', 'case2'];
    const ref = referenceCompanions(
      pings.map(([id, ts, lat, lon]): Ping => ({ person: names.indexOf(id), ts, lat, lon })),
      [1, 3],
      { mode: 'radius' },
    );
    const expected = [
      'person_id,case_id,seconds,first_ts,last_ts',
      ...ref.map((r) => `${names[r.person]},${names[r.caseId]},${r.seconds},${r.firstTs},${r.lastTs}`),
    ];
    expect(n).toBe(ref.length);
    expect(ref.length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(dir, 'o.csv'), 'utf8')).toBe(expected.join('\n') + '\n');
    const errs = readFileSync(errors, 'utf8');
    expect(errs).toContain('p.csv:8: ts is not a non-negative integer');
    expect(errs).toContain('p.csv:9: lat not in [-90, 90]');
    expect(errs).toContain('p.csv:10: expected 4 fields, got 2');

    const program = new Command().exitOverride();
    registerCompanionsCommand(program);
    await program.parseAsync(['node', 'hc', 'companions', 'convert', join(dir, 'p.csv'), join(dir, 'p.bin')]);
    await runCompanionsCli({
      ...base,
      pings: join(dir, 'p.bin'),
      cases: join(dir, 'c.csv'),
      out: join(dir, 'o2.csv'),
    });
    expect(readFileSync(join(dir, 'o2.csv'), 'utf8')).toBe(readFileSync(join(dir, 'o.csv'), 'utf8'));
  });

  it('generates a deterministic city and finds companions in it in both modes', async () => {
    const program = new Command().exitOverride();
    registerGenPingsCommand(program);
    const gen = (out: string) => [
      'node',
      'hc',
      'gen',
      'pings',
      '--people',
      '3000',
      '--pings',
      '12000',
      '--seed',
      '4',
      '--out',
      out,
      '--cases',
      '10',
      '--cases-out',
      join(dir, 'cases.csv'),
      '--no-progress',
    ];
    await program.parseAsync(gen(join(dir, 'city.csv')));
    await program.parseAsync(gen(join(dir, 'city2.csv')));
    expect(readFileSync(join(dir, 'city.csv'), 'utf8')).toBe(readFileSync(join(dir, 'city2.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'city.csv'), 'utf8').trim().split('\n')).toHaveLength(12001);
    for (const mode of ['radius', 'grid']) {
      const n = await runCompanionsCli({
        ...base,
        mode,
        pings: join(dir, 'city.csv'),
        cases: join(dir, 'cases.csv'),
        out: join(dir, `${mode}.csv`),
      });
      expect(n).toBeGreaterThan(0);
    }
  });

  it('puts Chinese first in the help', () => {
    const program = new Command();
    registerCompanionsCommand(program);
    const help = program.commands.find((c) => c.name() === 'companions')!.helpInformation();
    expect(help.indexOf('时空伴随')).toBeLessThan(help.indexOf('Spatio-temporal'));
    expect(help).toContain('--grid-origin');
  });
});
