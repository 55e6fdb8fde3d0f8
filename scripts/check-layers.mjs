#!/usr/bin/env node
/**
 * The layer check (`npm run lint:layers`, part of `npm run lint`): dependency-cruiser with the rules
 * in .dependency-cruiser.cjs over src/ and web/. Violations listed in
 * .dependency-cruiser-known-violations.json (the baseline of code still being moved) are printed
 * as a reminder and do not fail; any other violation fails. Entries of the baseline that no longer
 * occur are reported so the list can be shrunk (`--update-baseline` rewrites it — only ever to
 * remove entries: adding a new violation to it needs a reason in the commit).
 *
 * 分层检查。 Usage: node scripts/check-layers.mjs [--update-baseline] [--json] [files-or-folders…]
 *   (default folders: src web)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const CONFIG = './.dependency-cruiser.cjs';
const KNOWN = '.dependency-cruiser-known-violations.json';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    [
      '分层检查 Layer check (dependency-cruiser, rules in .dependency-cruiser.cjs)',
      'Usage: node scripts/check-layers.mjs [--update-baseline] [--json] [files-or-folders…]',
      '  --update-baseline  rewrite .dependency-cruiser-known-violations.json with the violations found now',
      '  --json             print the violations as JSON (for tests and tools)',
      'Default folders: src web. Exit code 1 when a violation outside the baseline exists.',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const update = args.includes('--update-baseline');
const asJson = args.includes('--json');
const targets = args.filter((a) => !a.startsWith('--'));
const files = targets.length > 0 ? targets : ['src', 'web'];

const key = (v) => `${v.rule.name}|${v.from}|${v.to}`;
const known = existsSync(KNOWN) ? JSON.parse(readFileSync(KNOWN, 'utf8')) : [];

const options = await extractDepcruiseOptions(CONFIG);
const tsConfig = extractTSConfig(options.tsConfig?.fileName ?? 'tsconfig.json');
const result = await cruise(files, { ...options, outputType: 'json' }, undefined, { tsConfig });
const cruised = typeof result.output === 'string' ? JSON.parse(result.output) : result.output;
const violations = cruised.summary.violations.filter((v) => v.rule.severity !== 'ignore');

if (update) {
  const baseline = violations.map((v) => ({
    type: v.type,
    from: v.from,
    to: v.to,
    ...(v.cycle ? { cycle: v.cycle } : {}),
    rule: v.rule,
  }));
  writeFileSync(KNOWN, JSON.stringify(baseline, null, 2) + '\n');
  process.stdout.write(`基线已更新 baseline rewritten: ${baseline.length} known violations in ${KNOWN}\n`);
  process.exit(0);
}

const knownKeys = new Set(known.map(key));
const fresh = violations.filter((v) => !knownKeys.has(key(v)));
const current = new Set(violations.map(key));
// Only a full run can tell that a baseline entry is gone.
const gone = targets.length > 0 ? [] : known.filter((k) => !current.has(key(k)));
const stillKnown = violations.filter((v) => knownKeys.has(key(v)));

if (asJson) {
  process.stdout.write(JSON.stringify({ violations: fresh, known: stillKnown, gone }, null, 2) + '\n');
  process.exit(fresh.length > 0 ? 1 : 0);
}

if (stillKnown.length > 0) {
  // Grouped by importing file: one line each, so the list stays readable while it shrinks.
  const byFrom = new Map();
  for (const v of stillKnown) {
    const list = byFrom.get(v.from) ?? [];
    list.push(`${v.to.replace(/^src\//, '')} [${v.rule.name}]`);
    byFrom.set(v.from, list);
  }
  const lines = [`已知违规（待迁移）${stillKnown.length} known layer violations still to fix (${KNOWN}):`];
  for (const [from, tos] of [...byFrom].sort()) lines.push(`  ${from} → ${tos.join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}
if (gone.length > 0)
  process.stdout.write(
    `${gone.length} baseline entries are fixed: shrink the list with \`npm run lint:layers:baseline\`.\n`,
  );

if (fresh.length > 0) {
  const errs = await format(
    { ...cruised, summary: { ...cruised.summary, violations: fresh } },
    { outputType: 'err-long' },
  );
  process.stdout.write(String(errs.output));
  process.stdout.write(
    `\n分层检查失败 layer check FAILED: ${fresh.length} new violation(s); see docs/ARCHITECTURE.md "Rules".\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `分层检查通过 layer check passed: ${cruised.summary.totalCruised} modules, ${cruised.summary.totalDependenciesCruised} dependencies, no new violations.\n`,
);
