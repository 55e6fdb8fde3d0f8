/** Core `hc` commands: migrate, seed, recompute, keys, devices, staff, code issue/revoke, verify, audit. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import path from 'node:path';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../adapters/db/database.ts';
import { Migrator, TESTING_MIGRATIONS } from '../../adapters/db/migrate.ts';
import { EXIT_SCHEMA } from '../../roles/schema.ts';
import { openTestingDatabase } from '../../roles/nat-testing.role.ts';
import type { DeviceRole } from '../../adapters/crypto/access-token.ts';
import { colour5Name } from '../../domain/colour.ts';
import type { CodeKind } from '../../domain/token/claims.ts';
import { REVOCATION_REASONS, type RevocationReason } from '../../ports/issued-code-store.port.ts';
import { isCodeId, type RevocationTarget } from '../../services/code-revocation.service.ts';
import { createVerifier } from '../../verifier/index.ts';
import type { TrustList } from '../../verifier/trust-list.ts';
import { AppError } from '../../services/app-error.ts';
import { seedDemoCity } from '../../roles/demo-seed.ts';
import type { AuditVerifyResult, PublishedCheckpoint } from '../../services/audit.service.ts';
import { fail, usage, withContext } from '../context.ts';
import { progressBar } from '../progress.ts';

/** The message of an expected failure (AppError), or the error itself. */
function appErrorText(e: unknown): string {
  if (e instanceof AppError) return `${e.message} (${e.code})`;
  throw e;
}

/** A password from --password, --password-stdin or --generate-password. */
async function passwordFrom(o: {
  password?: string;
  passwordStdin?: boolean;
  generatePassword?: boolean;
}): Promise<string | undefined> {
  if (o.generatePassword) return crypto.randomBytes(15).toString('base64url');
  if (o.passwordStdin) {
    let text = '';
    for await (const chunk of process.stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  return o.password;
}

export function registerCoreCommands(program: Command): void {
  program
    .command('migrate')
    .description(
      '执行数据库迁移 Apply database migrations — the one step that changes the schema in production: the platform set (migrations/) and the testing service set (migrations/testing/, on HC_TESTING_DATABASE_URL when set)',
    )
    .option(
      '--status',
      `只检查不执行 only report: applied, pending and edited files of each set; exit code ${EXIT_SCHEMA} when a set is not current`,
    )
    .action(async (o: { status?: boolean }) => {
      // The database alone, not the platform: nothing else may read a schema before it is current.
      const config = loadConfig();
      const db = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: path.join(config.dataDir, 'pg'),
      });
      const own = await openTestingDatabase();
      try {
        const sets = [new Migrator(db), new Migrator(own ?? db, TESTING_MIGRATIONS)];
        for (const m of sets) {
          if (o.status) {
            const s = await m.status();
            const current = s.pending.length === 0 && s.changed.length === 0;
            process.stdout.write(
              `${s.set}: ${s.applied.length} applied, ${s.pending.length} pending` +
                (s.pending.length ? ` (${s.pending.map((p) => p.name).join(', ')})` : '') +
                (s.changed.length
                  ? `, EDITED after applying: ${s.changed.map((c) => c.name).join(', ')}`
                  : '') +
                (s.unknown.length ? `, applied by a newer version: ${s.unknown.join(', ')}` : '') +
                (current ? ' — 最新 up to date' : ' — 需要迁移 not current: run `hc migrate`') +
                '\n',
            );
            if (!current) process.exitCode = EXIT_SCHEMA;
            continue;
          }
          const applied = await m.apply();
          process.stdout.write(
            applied.length
              ? `${m.set} applied: ${applied.join(', ')}\n`
              : `${m.set} database is up to date\n`,
          );
        }
      } finally {
        await own?.close();
        await db.close();
      }
    });

  program
    .command('seed')
    .description('生成演示城市 Seed the demo city (Guiyang) into an empty database')
    .option('-n, --residents <n>', 'number of residents 居民数', '10000')
    .action((o: { residents: string }) =>
      withContext(async (ctx) => {
        const n = Number(o.residents);
        const bar = progressBar('seeding 生成', n, 'residents');
        const acc = await seedDemoCity(ctx, n, (done) => bar.update(done));
        bar.stop();
        process.stdout.write(
          acc ? JSON.stringify(acc, null, 2) + '\n' : 'database already has residents; nothing seeded\n',
        );
      }),
    );

  program
    .command('recompute')
    .description('全量重算 Re-evaluate every resident under the active policy')
    .option('--batch <n>', 'residents per batch', '2000')
    .action((o: { batch: string }) =>
      withContext(async (ctx) => {
        const total = await ctx.repos.persons.count();
        const bar = progressBar('recompute 重算', total, 'residents');
        const t0 = Date.now();
        const r = await ctx.statuses.recomputeAll(
          (p) => bar.update(p.done, p.total, { changed: p.changed }),
          Number(o.batch),
        );
        bar.stop();
        process.stdout.write(
          `recomputed ${r.done} residents in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${r.changed} changed colour\n`,
        );
      }),
    );

  const keys = program.command('keys').description('签名密钥 Code-signing keys');
  keys
    .command('rotate')
    .description('轮换签名密钥 Retire the current key and start a new one')
    .option('--alg <alg>', 'ES256 or EdDSA', 'ES256')
    .action((o: { alg: string }) =>
      withContext(async (ctx) => {
        if (o.alg !== 'ES256' && o.alg !== 'EdDSA') return fail('--alg must be ES256 or EdDSA');
        await ctx.keys.ensureKey();
        const kid = await ctx.keys.rotate('cli', o.alg === 'ES256' ? -7 : -8);
        process.stdout.write(`new signing key kid=${kid}\n`);
      }),
    );
  keys
    .command('revoke <kid>')
    .description(
      '吊销签名密钥 Revoke a signing key at once: every code it signed is refused; a new key starts if it was the current one (audited)',
    )
    .action((kid: string) =>
      withContext(async (ctx) => {
        if (!/^[A-Za-z0-9_-]{11}$/.test(kid))
          return usage(
            '密钥标识须为 11 个 base64url 字符 kid must be 11 base64url characters (hc keys list)',
          );
        if (!(await ctx.keys.revoke(kid, 'cli')))
          return fail('没有该签名密钥或已吊销 no such signing key, or revoked already');
        process.stdout.write(`已吊销签名密钥 revoked signing key kid=${kid}\n`);
      }),
    );
  keys
    .command('list')
    .description('列出信任列表 Print the trust list')
    .action(() =>
      withContext(
        async (ctx) =>
          void process.stdout.write(JSON.stringify(await ctx.trustList.current(), null, 2) + '\n'),
      ),
    );

  const devices = program.command('devices').description('设备 Scanner and feed devices');
  devices
    .command('revoke <id>')
    .description("吊销设备密钥 Revoke a device's API key (audited; refused from the next request)")
    .action((id: string) =>
      withContext(async (ctx) => {
        if (!/^[1-9][0-9]{0,14}$/.test(id))
          return usage('设备编号须为正整数 the device id is a positive whole number (hc devices list)');
        const d = await ctx.auth.revokeDevice(Number(id), 'cli').catch((e: unknown) => fail(appErrorText(e)));
        if (!d) return;
        process.stdout.write(
          `已吊销设备 device revoked: ${d.id} (${d.role}, ${d.name}) at ${d.revokedAt ?? ''}\n`,
        );
      }),
    );
  devices
    .command('list')
    .description('列出设备 List devices (never their keys)')
    .action(() =>
      withContext(async (ctx) => {
        for (const d of await ctx.auth.listDevices())
          process.stdout.write(
            `${d.id}\t${d.role}\t${d.regionCode ?? '-'}\t${d.revokedAt ? `已吊销 revoked ${d.revokedAt}` : '有效 active'}\t${d.name}\n`,
          );
      }),
    );
  devices
    .command('add')
    .description('登记设备并打印 API 密钥 Register a device and print its API key (shown once)')
    .requiredOption('--name <name>', 'device name 名称')
    .option('--role <role>', 'scanner | venue | tester | lab | carrier | peer', 'scanner')
    .option('--region <code>', 'GB/T 2260 region code of the site')
    .action((o: { name: string; role: string; region?: string }) =>
      withContext(async (ctx) => {
        if (!['scanner', 'venue', 'tester', 'lab', 'carrier', 'peer'].includes(o.role))
          return fail(`unknown role ${o.role}`);
        const d = await ctx.auth.addDevice(o.name, o.role as DeviceRole, o.region ?? null, null, 'cli');
        process.stdout.write(`device ${d.id} (${o.role})\nX-Api-Key: ${d.apiKey}\n`);
      }),
    );

  const staff = program.command('staff').description('工作人员 Officers and administrators');
  staff
    .command('add')
    .description('添加或重置工作人员 Add a staff account, or reset an existing one (its sessions end)')
    .requiredOption('--username <u>', 'user name 用户名')
    .option(
      '--password <p>',
      'password (≥ 12 characters; prefer --password-stdin: the command line is visible to others)',
    )
    .option('--password-stdin', 'read the password from the first line of standard input 从标准输入读取密码')
    .option('--generate-password', 'generate a strong password and print it once 生成并打印强密码')
    .option('--name <n>', 'display name 显示名', '')
    .option('--role <r>', 'officer | admin', 'officer')
    .option(
      '--region <prefix>',
      'admin-code prefix the account may read: required for officers (520102 county, 5201 city, 52 whole province)',
      '',
    )
    .action(
      (o: {
        username: string;
        password?: string;
        passwordStdin?: boolean;
        generatePassword?: boolean;
        name: string;
        role: string;
        region: string;
      }) =>
        withContext(async (ctx) => {
          if (o.role !== 'officer' && o.role !== 'admin') return fail('--role must be officer or admin');
          const password = await passwordFrom(o);
          if (password === undefined)
            return fail('give one of --password-stdin, --generate-password or --password');
          const v = await ctx.staff
            .add(
              { username: o.username, password, displayName: o.name, role: o.role, regionPrefix: o.region },
              'cli',
            )
            .catch((e: unknown) => fail(appErrorText(e)));
          if (!v) return;
          if (o.generatePassword) process.stdout.write(`password (shown once): ${password}\n`);
          process.stdout.write(
            `staff ${v.id} ${v.username} (${v.role}, region ${v.regionPrefix || 'all regions'})\n`,
          );
        }),
    );
  staff
    .command('set <username>')
    .description('修改工作人员 Change role, region, password or disable an account (effective at once)')
    .option('--role <r>', 'officer | admin')
    .option('--region <prefix>', 'new admin-code prefix (2, 4 or 6 digits)')
    .option('--name <n>', 'display name 显示名')
    .option('--password-stdin', 'read a new password from the first line of standard input')
    .option('--disable', 'disable the account and end its sessions 停用')
    .option('--enable', 'enable the account again 启用')
    .action(
      (
        username: string,
        o: {
          role?: string;
          region?: string;
          name?: string;
          passwordStdin?: boolean;
          disable?: boolean;
          enable?: boolean;
        },
      ) =>
        withContext(async (ctx) => {
          if (o.role !== undefined && o.role !== 'officer' && o.role !== 'admin')
            return fail('--role must be officer or admin');
          if (o.disable && o.enable) return fail('--disable and --enable exclude each other');
          const current = await ctx.staff.byUsername(username);
          if (!current) return fail(`no staff account ${username}`);
          const password = o.passwordStdin ? await passwordFrom({ passwordStdin: true }) : undefined;
          const v = await ctx.staff
            .update(
              current.id,
              {
                ...(o.role ? { role: o.role as 'officer' | 'admin' } : {}),
                ...(o.region !== undefined ? { regionPrefix: o.region } : {}),
                ...(o.name !== undefined ? { displayName: o.name } : {}),
                ...(password !== undefined ? { password } : {}),
                ...(o.disable ? { disabled: true } : o.enable ? { disabled: false } : {}),
              },
              'cli',
            )
            .catch((e: unknown) => fail(appErrorText(e)));
          if (!v) return;
          process.stdout.write(
            `staff ${v.id} ${v.username} (${v.role}, region ${v.regionPrefix || 'all regions'}${v.disabled ? ', disabled' : ''})\n`,
          );
        }),
    );
  staff
    .command('list')
    .description('列出工作人员 List staff accounts')
    .action(() =>
      withContext(async (ctx) => {
        for (const v of await ctx.staff.list())
          process.stdout.write(
            `${String(v.id).padStart(5)}  ${v.username.padEnd(20)} ${v.role.padEnd(8)} ${(v.regionPrefix || 'all').padEnd(7)} ${v.disabled ? 'disabled' : 'active'}\n`,
          );
      }),
    );

  const code = program.command('code').description('健康码 Codes');
  code
    .command('issue')
    .description(
      '签发健康码(如纸质码) Issue a code token for a resident, e.g. a paper code; a new paper (offline, vehicle) code revokes the previous one',
    )
    .requiredOption('--doc <number>', 'document number 证件号码')
    .option('--doc-type <type>', 'document type code (10 resident ID)', '10')
    .option('--kind <k>', 's screen | p paper | o offline | d dependent | v vehicle', 'p')
    .action((o: { doc: string; docType: string; kind: string }) =>
      withContext(async (ctx) => {
        if (!['s', 'p', 'o', 'd', 'v'].includes(o.kind)) return fail('--kind must be s, p, o, d or v');
        const kind = o.kind as CodeKind;
        const id = await ctx.residents.findByDocument(Number(o.docType), o.doc);
        if (id === undefined) return fail('no resident with that document');
        await ctx.keys.ensureKey();
        // Long-lived codes are recorded and audited by the service; short ones here.
        const issued = await ctx.codes.issue(id, kind, { actor: 'cli', regionPrefix: '' });
        if (issued.codeId === undefined)
          await ctx.audit.append({ actor: 'cli', action: 'code.issue', personId: id, detail: { kind } });
        process.stderr.write(
          `${issued.display.maskedName} ${issued.display.colour.zh} ${issued.display.colour.en}, expires ${issued.expiresAt}\n`,
        );
        if (issued.codeId !== undefined) process.stderr.write(`code id 码标识 ${issued.codeId}\n`);
        for (const r of issued.revokedCodeIds ?? [])
          process.stderr.write(`revoked previous code 已作废旧码 ${r}\n`);
        process.stdout.write(issued.token + '\n');
      }),
    );
  code
    .command('revoke')
    .description(
      '作废长效码 Revoke long-lived codes: one by --token or --code-id, or all of a resident’s by --doc (audited); scanners refuse them after their next trust-list refresh',
    )
    .option('--token <text>', 'the code’s text (JKM1:…) 码内容')
    .option('--code-id <id>', 'the code id printed when it was issued 码标识')
    .option('--doc <number>', 'document number: every live long-lived code of that resident 证件号码')
    .option('--doc-type <type>', 'document type code (10 resident ID)', '10')
    .option('--reason <r>', `why: ${REVOCATION_REASONS.join(' | ')}`, 'other')
    .action((o: { token?: string; codeId?: string; doc?: string; docType: string; reason: string }) =>
      withContext(async (ctx) => {
        if ([o.token, o.codeId, o.doc].filter((v) => v !== undefined).length !== 1)
          return usage(
            '请只给出 --token、--code-id、--doc 之一 give exactly one of --token, --code-id, --doc',
          );
        if (!(REVOCATION_REASONS as readonly string[]).includes(o.reason))
          return usage(
            `作废原因须为 ${REVOCATION_REASONS.join('、')} 之一 --reason must be one of ${REVOCATION_REASONS.join(', ')}`,
          );
        let target: RevocationTarget;
        if (o.token !== undefined) target = { token: o.token };
        else if (o.codeId !== undefined) {
          if (!isCodeId(o.codeId))
            return usage('码标识须为 22 个 base64url 字符 --code-id must be 22 base64url characters');
          target = { codeId: o.codeId };
        } else {
          const id = await ctx.residents.findByDocument(Number(o.docType), o.doc ?? '');
          if (id === undefined) return fail('没有该证件的居民 no resident with that document');
          target = { personId: id };
        }
        const revoked = await ctx.codeRevocations
          .revoke(target, { actor: 'cli', regionPrefix: '' }, o.reason as RevocationReason)
          .catch((e: unknown) => fail(appErrorText(e)));
        if (!revoked) return;
        if (!revoked.length)
          process.stdout.write(
            '无可作废的码 nothing to revoke (已作废或已过期 already revoked or expired)\n',
          );
        for (const r of revoked) process.stdout.write(`已作废 revoked ${r}\n`);
      }),
    );

  program
    .command('verify <token>')
    .description('离线验码 Verify a JKM1 token offline against a trust list')
    .option('--trust-list <file>', 'trust list JSON file (default: this deployment’s keys)')
    .action(async (token: string, o: { trustList?: string }) => {
      const check = async (list: TrustList) => {
        const r = await createVerifier(list).verify(token, Math.floor(Date.now() / 1000));
        if (r.valid)
          process.stdout.write(
            `valid ✓ ${r.issuer} colour ${colour5Name(r.colour5)} kind ${r.kind} expires ${new Date(r.claims.exp * 1000).toISOString()}; colour as of ${new Date(r.colourAsOf * 1000).toISOString()} (${Math.floor(r.colourAgeSeconds / 60)} min old)\n`,
          );
        else if (r.reason === 'TOKEN_COLOUR_TOO_OLD')
          fail(
            `invalid: ${r.reason} 颜色过旧 colour ${Math.floor((r.colourAgeSeconds ?? 0) / 3600)} h old, at most ${Math.floor((r.maxColourAgeSeconds ?? 0) / 3600)} h`,
            2,
          );
        else fail(`invalid: ${r.reason}`, 2);
      };
      if (o.trustList) return check(JSON.parse(fs.readFileSync(o.trustList, 'utf8')) as TrustList);
      return withContext(async (ctx) => check(await ctx.trustList.current()));
    });

  const audit = program.command('audit').description('审计日志 Audit log');
  audit
    .command('verify')
    .description('校验哈希链与签名检查点 Check the hash chain and compare it with the signed checkpoints')
    .option(
      '--checkpoints <file>',
      'checkpoints kept elsewhere: JSON printed by `hc audit checkpoint` or from GET /v1/audit/checkpoints',
    )
    .action((o: { checkpoints?: string }) =>
      withContext(async (ctx) => {
        const published = o.checkpoints ? readCheckpoints(o.checkpoints) : [];
        reportAuditVerify(await ctx.audit.verify(undefined, published));
      }),
    );
  audit
    .command('checkpoint')
    .description(
      '签名检查点 Sign a checkpoint of the audit log head and print it as JSON (keep a copy elsewhere)',
    )
    .action(() =>
      withContext(async (ctx) => {
        await ctx.keys.ensureKey();
        const cp = (await ctx.audit.checkpoint()) ?? (await ctx.audit.checkpoints(1))[0];
        if (!cp) return fail('审计日志为空，无可签名 the audit log is empty: nothing to anchor');
        process.stdout.write(`${JSON.stringify(cp)}\n`);
      }),
    );
}

/** Exit code of `hc audit verify` (and `hc testing audit-verify`) when the log was tampered with. */
export const EXIT_AUDIT_TAMPERED = 3;

/** Prints a verification's outcome, Chinese first; a broken log sets exit code EXIT_AUDIT_TAMPERED. */
export function reportAuditVerify(r: AuditVerifyResult & { unchained?: number }): void {
  const before = r.unchained
    ? `; ${r.unchained} 条早于哈希链的记录无法校验 entries written before the chain cannot be checked`
    : '';
  if (r.ok) {
    process.stdout.write(
      `审计链完整 audit chain intact: ${r.rows} 条 entries, ${r.checkpoints} 个签名检查点一致 signed checkpoints agree` +
        (r.revokedCheckpoints
          ? ` (${r.revokedCheckpoints} 个由已吊销密钥签名，已忽略 signed with a revoked key ignored)`
          : '') +
        before +
        '\n',
    );
    return;
  }
  const why: Record<NonNullable<typeof r.reason>, string> = {
    CHAIN_BROKEN: `审计链在第 ${r.brokenAt} 条断开 audit chain broken at entry ${r.brokenAt}`,
    TRUNCATED: `审计日志被截断：第 ${r.brokenAt} 条起缺失 audit log truncated: entries from ${r.brokenAt} on are missing, a signed checkpoint names them`,
    CHECKPOINT_MISMATCH: `第 ${r.brokenAt} 条或更早的条目被修改 audit entry ${r.brokenAt} or one before it was changed: its hash differs from the signed checkpoint`,
    CHECKPOINT_FORGED: `第 ${r.brokenAt} 条的检查点签名无效 a checkpoint of entry ${r.brokenAt} has no valid platform signature`,
  };
  fail(
    `${why[r.reason ?? 'CHAIN_BROKEN']} (${r.reason}; 之前 ${r.rows} 条完好 after ${r.rows} good entries)`,
    EXIT_AUDIT_TAMPERED,
  );
}

/** Published checkpoints from a file: one object, an array, or `{ checkpoints: [...] }`, or one JSON object a line. */
export function readCheckpoints(file: string): PublishedCheckpoint[] {
  const text = fs.readFileSync(file, 'utf8').trim();
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
  }
  if (v && typeof v === 'object' && 'checkpoints' in v) v = (v as { checkpoints: unknown }).checkpoints;
  return (Array.isArray(v) ? v : [v]) as PublishedCheckpoint[];
}
