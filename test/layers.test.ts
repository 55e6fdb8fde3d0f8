/**
 * The layer check (scripts/check-layers.mjs, dependency-cruiser) fails on code that breaks the
 * architecture and passes on the tree as it is. Probe files that break one rule each are written
 * into the tree (valid TypeScript, so a concurrent typecheck of this worktree still passes), the
 * check runs once over src/ and web/, and the probes are removed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChild } from './child.ts';

const root = path.resolve(import.meta.dirname, '..');
const tag = `layer-probe-${process.pid}`;

interface Probe {
  file: string;
  source: string;
  /** the rule that must reject it and the module it must be reported for (a cycle is reported once) */
  expect?: { rule: string; to: RegExp };
}

const probes: Probe[] = [
  {
    file: `src/services/${tag}-kysely.ts`,
    source: `import { sql } from 'kysely';\nexport const probe = sql;\n`,
    expect: { rule: 'services-no-drivers', to: /node_modules\/kysely\// },
  },
  {
    file: `src/services/${tag}-pg.ts`,
    source: `import pg from 'pg';\nexport const probe = pg.Pool;\n`,
    expect: { rule: 'services-no-drivers', to: /node_modules\/pg\// },
  },
  {
    file: `src/services/${tag}-fs.ts`,
    source: `import { existsSync } from 'node:fs';\nexport const probe = existsSync;\n`,
    expect: { rule: 'services-no-drivers', to: /^(node:)?fs$/ },
  },
  {
    file: `src/services/${tag}-route.ts`,
    source: `import { systemRoutes } from '../http/routes/system.routes.ts';\nexport const probe = systemRoutes;\n`,
    expect: { rule: 'services-no-outer-layers', to: /^src\/http\/routes\/system\.routes\.ts$/ },
  },
  {
    file: `src/domain/${tag}-crypto.ts`,
    source: `import { randomBytes } from 'node:crypto';\nexport const probe = randomBytes;\n`,
    expect: { rule: 'core-pure-no-io', to: /^(node:)?crypto$/ },
  },
  {
    file: `src/http/${tag}-adapter.ts`,
    source: `import { PersonRepository } from '../adapters/repositories/person.repository.ts';\nexport const probe = PersonRepository;\n`,
    expect: { rule: 'http-no-adapters', to: /^src\/adapters\// },
  },
  {
    file: `src/verifier/${tag}-service.ts`,
    source: `import { AppError } from '../services/app-error.ts';\nexport const probe = AppError;\n`,
    expect: { rule: 'verifier-browser-safe', to: /^src\/services\// },
  },
  {
    file: `src/ports/${tag}-cycle-a.ts`,
    source: `import type { B } from './${tag}-cycle-b.ts';\nexport interface A {\n  b?: B;\n}\n`,
    expect: { rule: 'no-circular', to: new RegExp(`${tag}-cycle-b\\.ts$`) },
  },
  {
    file: `src/ports/${tag}-cycle-b.ts`,
    source: `import type { A } from './${tag}-cycle-a.ts';\nexport interface B {\n  a?: A;\n}\n`,
  },
];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

afterAll(() => {
  for (const p of probes) rmSync(path.join(root, p.file), { force: true });
});

describe('layer check', () => {
  it('rejects each probe that breaks a layer rule and nothing else in the tree', async () => {
    try {
      for (const p of probes) writeFileSync(path.join(root, p.file), p.source);
      const run = await runChild(process.execPath, ['scripts/check-layers.mjs', '--json'], { cwd: root });
      expect(run.stderr).toBe('');
      const out = JSON.parse(run.stdout) as { violations: Violation[] };
      expect(run.status).toBe(1);

      for (const { file, expect: want } of probes) {
        if (!want) continue;
        const reported = out.violations.filter((v) => v.from === file).map((v) => `${v.rule.name} ${v.to}`);
        expect({ file, reported }).toSatisfy((r: { reported: string[] }) =>
          r.reported.some(
            (x) => x.startsWith(want.rule + ' ') && want.to.test(x.slice(want.rule.length + 1)),
          ),
        );
      }
      // The tree itself passes: every new violation comes from a probe (known ones are baselined).
      const others = out.violations.filter((v) => !v.from.includes(tag));
      expect(others).toEqual([]);
    } finally {
      for (const p of probes) rmSync(path.join(root, p.file), { force: true });
    }
  }, 180_000);
});
