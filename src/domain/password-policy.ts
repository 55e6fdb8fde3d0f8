/**
 * Staff password policy (docs/SECURITY.md): at least 12 characters, at most 128, not the username
 * nor containing it, not a common password (also after undoing leet spellings and stripping
 * trailing digits and symbols: "P@ssw0rd2024!" is "password"), not one repeated character or a
 * keyboard run. Pure: the caller hashes what passes.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem =
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_CONTAINS_USERNAME'
  | 'PASSWORD_COMMON'
  | 'PASSWORD_TRIVIAL';

function words(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

// Common passwords and their stems (global lists and those common in China: pinyin, 520/1314
// love numbers, QQ-style). Matched on the whole password and on its stem.
const COMMON = words(`
  password passw0rd passwd pass pwd admin administrator root toor user guest test tester demo
  welcome letmein login changeme default secret qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbn
  zxcvbnm qazwsx qweasd qweasdzxc 1qaz2wsx 1q2w3e4r 1q2w3e4r5t abc abcd abcdef abc123 a123456
  iloveyou monkey dragon master shadow sunshine princess football baseball superman batman
  trustno1 starwars whatever freedom hello hellohello woaini woaini1314 wodemima mima mimamima
  caonima zhangwei wangwei liwei zhongguo china beijing shanghai guizhou guiyang jiankangma
  healthcode health officer staff police gov government qq qqqq aaaa aa xx 5201314 1314520 520520
  1314 520 qwe qwer asd zxc system manager operator service support internet computer access
  security p@ssword
`);
const COMMON_WHOLE = words(`
  123456789012 1234567890123 12345678901234 123123123123 111111111111 000000000000 123456123456
  112233445566 147258369147 987654321098 qwertyuiop12 qwertyuiop123 1qaz2wsx3edc 1q2w3e4r5t6y
  zaq12wsxcde3 qazwsxedcrfv a1b2c3d4e5f6 abcdefghijkl abcd12345678 abc123456789 aa1234567890
  iloveyou1314 woaini520520 passwordpassword
`);

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  '1': 'l',
  '3': 'e',
  $: 's',
  '5': 's',
  '7': 't',
};
const RUNS = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  '1qaz2wsx3edc4rfv',
];

/** The first problem with a new staff password, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): PasswordProblem | undefined {
  const chars = Array.from(password);
  if (chars.length < PASSWORD_MIN_LENGTH) return 'PASSWORD_TOO_SHORT';
  if (chars.length > PASSWORD_MAX_LENGTH) return 'PASSWORD_TOO_LONG';
  const lower = password.toLowerCase();
  const user = username.trim().toLowerCase();
  if (user.length >= 3 && (lower.includes(user) || lower === user)) return 'PASSWORD_CONTAINS_USERNAME';
  if (new Set(chars).size <= 2) return 'PASSWORD_TRIVIAL';
  if (RUNS.some((run) => isRunOf(lower, run))) return 'PASSWORD_TRIVIAL';
  if (COMMON_WHOLE.has(lower)) return 'PASSWORD_COMMON';
  const stem = stemOf(lower);
  for (const candidate of new Set([lower, stem, unleet(stem), stemOf(unleet(stem))])) {
    if (COMMON.has(candidate) || (candidate.length >= 4 && isRepeatOfCommon(candidate)))
      return 'PASSWORD_COMMON';
  }
  return undefined;
}

/** English and Chinese words for each problem (people-facing). */
export function passwordProblemText(p: PasswordProblem): string {
  switch (p) {
    case 'PASSWORD_TOO_SHORT':
      return `密码至少 ${PASSWORD_MIN_LENGTH} 个字符 password must have at least ${PASSWORD_MIN_LENGTH} characters`;
    case 'PASSWORD_TOO_LONG':
      return `密码最多 ${PASSWORD_MAX_LENGTH} 个字符 password must have at most ${PASSWORD_MAX_LENGTH} characters`;
    case 'PASSWORD_CONTAINS_USERNAME':
      return '密码不能包含用户名 password must not contain the username';
    case 'PASSWORD_COMMON':
      return '密码过于常见 password is too common; choose a passphrase of several words';
    case 'PASSWORD_TRIVIAL':
      return '密码过于简单 password is a repeated character or a keyboard run';
  }
}

/** Without leading and trailing digits and symbols: "2024password!!" → "password". */
function stemOf(s: string): string {
  return s.replace(/[^\p{L}]+$/u, '').replace(/^[^\p{L}]+/u, '');
}

function unleet(s: string): string {
  return Array.from(s, (c) => LEET[c] ?? c).join('');
}

/** "passwordpassword", "adminadmin": a common word said twice or more. */
function isRepeatOfCommon(stem: string): boolean {
  for (let len = 2; len <= stem.length / 2; len++) {
    if (stem.length % len !== 0) continue;
    const unit = stem.slice(0, len);
    if (unit.repeat(stem.length / len) === stem && COMMON.has(unit)) return true;
  }
  return false;
}

/** The whole password is a contiguous stretch (forwards or backwards) of one keyboard/alphabet run, repeated. */
function isRunOf(s: string, run: string): boolean {
  const rev = Array.from(run).reverse().join('');
  for (const r of [run, rev, run + run, rev + rev]) if (r.includes(s)) return true;
  return false;
}
