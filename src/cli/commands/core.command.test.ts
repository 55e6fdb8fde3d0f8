/**
 * The operator's security commands as run from `hc`: `keys revoke`, `devices revoke|list`,
 * `code revoke`, `audit verify|checkpoint` and `testing audit-verify|audit-checkpoint` — exit
 * codes, Chinese-first output and help, refusal of bad arguments (EXIT_USAGE, nothing done) and
 * the audit row each writes. In process on one test context (both adapters), parsed by commander
 * exactly as bin/hc does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { CommanderError, EXIT_USAGE, parseErrorExitCode, runCommandsOn } from '../context.ts';
import { EXIT_AUDIT_TAMPERED, registerCoreCommands } from './core.command.ts';
import { registerTestingCommand } from './testing.command.ts';

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.keys.ensureKey();
  runCommandsOn(ctx);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-core-cli-'));
});
afterAll(async () => {
  runCommandsOn(undefined);
  fs.rmSync(dir, { recursive: true, force: true });
  await ctx?.destroy();
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `hc …args` in this process; its exit code and what it printed. */
async function hc(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const program = new Command()
    .name('hc')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  registerCoreCommands(program);
  registerTestingCommand(program);
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  process.exitCode = undefined;
  let code: number | undefined;
  try {
    await program.parseAsync(['node', 'hc', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = parseErrorExitCode(e);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  code ??= Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out, err };
}

const CJK = /^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
/** Every printed line a person reads starts in Chinese (errors after the "错误 error: " prefix). */
function chineseFirst(text: string): void {
  for (const line of text.split('\n').filter((l) => l.trim() !== ''))
    expect(line.replace(/^错误 error: /, ''), line).toMatch(CJK);
}

const auditRows = async (action: string) =>
  (
    await ctx.db.query<{ actor: string; detail: Record<string, unknown> }>(
      'SELECT actor, detail FROM audit_log WHERE action = $1 ORDER BY seq',
      [action],
    )
  ).rows;

describe('hc security commands', () => {
  it('--help of each is Chinese first and exits 0', async () => {
    for (const cmd of [
      ['keys', 'revoke'],
      ['devices', 'revoke'],
      ['devices', 'list'],
      ['code', 'revoke'],
      ['audit', 'verify'],
      ['audit', 'checkpoint'],
      ['testing', 'audit-verify'],
      ['testing', 'audit-checkpoint'],
    ]) {
      const r = await hc(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      const description = r.out.split('\n').find((l, i, all) => i > 0 && all[i - 1] === '' && l !== '');
      expect(description, cmd.join(' ')).toMatch(CJK);
    }
  });

  it('keys revoke: refuses a malformed or missing kid (usage), an unknown one (1); revokes and audits', async () => {
    for (const args of [
      ['keys', 'revoke', 'not-a-kid'],
      ['keys', 'revoke'],
    ]) {
      const r = await hc(...args);
      expect(r.code, args.join(' ')).toBe(EXIT_USAGE);
      expect(r.out).toBe('');
    }
    const bad = await hc('keys', 'revoke', 'not-a-kid');
    chineseFirst(bad.err);
    const unknown = await hc('keys', 'revoke', 'AAAAAAAAAAA');
    expect(unknown.code).toBe(1);
    chineseFirst(unknown.err);
    expect(await auditRows('keys.revoke')).toEqual([]);

    const kid = (await ctx.keys.trustList()).keys[0]!.kid;
    const r = await hc('keys', 'revoke', kid);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(kid);
    chineseFirst(r.out);
    expect(await auditRows('keys.revoke')).toEqual([{ actor: 'cli', detail: { kid } }]);
    // it was the signing key: a successor started, audited too
    expect(await auditRows('keys.rotate')).toHaveLength(1);
    expect((await ctx.keys.trustList()).revokedKids).toContain(kid);
    const again = await hc('keys', 'revoke', kid);
    expect(again.code).toBe(1);
    expect(await auditRows('keys.revoke')).toHaveLength(1);
  });

  it('devices list and revoke: never a key, bad ids refused, an unknown one 1, a revocation audited', async () => {
    const d = await ctx.auth.addDevice('检查口扫码枪 gate scanner', 'scanner', '520102');
    const listed = await hc('devices', 'list');
    expect(listed.code).toBe(0);
    const line = listed.out.split('\n').find((l) => l.startsWith(`${d.id}\t`));
    expect(line).toContain('有效 active');
    expect(listed.out).not.toContain(d.apiKey.slice(4));

    for (const id of ['abc', '0', '-1', '1234567890123456789']) {
      const r = await hc('devices', 'revoke', id);
      expect(r.code, id).toBe(EXIT_USAGE);
      chineseFirst(r.err);
    }
    const unknown = await hc('devices', 'revoke', '999999');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('DEVICE_NOT_FOUND');
    chineseFirst(unknown.err);
    expect(await auditRows('device.revoke')).toEqual([]);

    const r = await hc('devices', 'revoke', String(d.id));
    expect(r.code).toBe(0);
    chineseFirst(r.out);
    expect(await auditRows('device.revoke')).toEqual([
      { actor: 'cli', detail: { id: d.id, role: 'scanner', name: '检查口扫码枪 gate scanner' } },
    ]);
    expect(await ctx.auth.deviceFromKey(d.apiKey)).toBeUndefined();
    const after = await hc('devices', 'list');
    expect(after.out.split('\n').find((l) => l.startsWith(`${d.id}\t`))).toContain('已吊销 revoked');
  });

  it('code revoke: exactly one target, a known reason and a well-formed id, else usage; revokes once, audited', async () => {
    const p = await createResident(ctx);
    const issued = await ctx.codes.issue(p.id, 'p', { actor: 'test', regionPrefix: '' });
    const codeId = issued.codeId!;
    for (const args of [
      ['code', 'revoke'],
      ['code', 'revoke', '--code-id', codeId, '--token', issued.token],
      ['code', 'revoke', '--code-id', codeId, '--reason', 'whim'],
      ['code', 'revoke', '--code-id', 'short'],
    ]) {
      const r = await hc(...args);
      expect(r.code, args.join(' ')).toBe(EXIT_USAGE);
      chineseFirst(r.err);
    }
    const unknown = await hc('code', 'revoke', '--code-id', 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('CODE_NOT_FOUND');
    expect(await auditRows('code.revoke')).toEqual([]);

    const r = await hc('code', 'revoke', '--code-id', codeId, '--reason', 'lost');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(codeId);
    chineseFirst(r.out);
    const again = await hc('code', 'revoke', '--token', issued.token);
    expect(again.code).toBe(0);
    chineseFirst(again.out);
    expect(await auditRows('code.revoke')).toEqual([
      { actor: 'cli', detail: { codeIds: [codeId], reason: 'lost' } },
    ]);
  });

  it('testing audit-checkpoint and audit-verify: empty log refused, then anchored and intact', async () => {
    const empty = await hc('testing', 'audit-checkpoint');
    expect(empty.code).toBe(1);
    chineseFirst(empty.err);
    const site = await hc('testing', 'site-add', '链测试点 chain site', '--region', '520102');
    expect(site.code).toBe(0);
    const cp = await hc('testing', 'audit-checkpoint');
    expect(cp.code).toBe(0);
    expect(JSON.parse(cp.out)).toMatchObject({ seq: 1 });
    const v = await hc('testing', 'audit-verify');
    expect(v.code).toBe(0);
    expect(v.out).toContain('1 条 entries, 1 个签名检查点一致');
    chineseFirst(v.out);
  });

  it('audit checkpoint and verify: intact (also against a kept copy), then tampering exits 3', async () => {
    const cp = await hc('audit', 'checkpoint');
    expect(cp.code).toBe(0);
    const published = JSON.parse(cp.out) as { seq: number };
    expect(published.seq).toBeGreaterThan(0);
    const file = path.join(dir, 'checkpoints.json');
    fs.writeFileSync(file, cp.out);
    const v = await hc('audit', 'verify', '--checkpoints', file);
    expect(v.code).toBe(0);
    chineseFirst(v.out);
    expect(v.out).toContain('2 个签名检查点一致');
    expect(await hc('audit', 'verify', '--checkpoints')).toMatchObject({ code: EXIT_USAGE });

    // the newest entry deleted, the stored checkpoints too: the kept copy finds it
    await ctx.db.query('DELETE FROM audit_checkpoints');
    await ctx.db.query('DELETE FROM audit_log WHERE seq = $1', [published.seq]);
    expect((await hc('audit', 'verify')).code).toBe(0);
    const cut = await hc('audit', 'verify', '--checkpoints', file);
    expect(cut.code).toBe(EXIT_AUDIT_TAMPERED);
    expect(cut.err).toContain('TRUNCATED');
    chineseFirst(cut.err);

    await ctx.db.query(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1`);
    const edited = await hc('audit', 'verify');
    expect(edited.code).toBe(EXIT_AUDIT_TAMPERED);
    expect(edited.err).toContain('CHAIN_BROKEN');
    chineseFirst(edited.err);
  });
});
