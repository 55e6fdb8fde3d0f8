import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PASSWORD_MIN_LENGTH, passwordProblem } from './password-policy.ts';

describe('staff password policy', () => {
  it.each([
    ['x', 'o1', 'PASSWORD_TOO_SHORT'],
    ['pw-one-1', 'o1', 'PASSWORD_TOO_SHORT'],
    ['short-pass1', 'o1', 'PASSWORD_TOO_SHORT'],
    ['a'.repeat(129), 'o1', 'PASSWORD_TOO_LONG'],
    ['officer-zhang-2024', 'officer-zhang', 'PASSWORD_CONTAINS_USERNAME'],
    ['MyNameIsWangLei!', 'wanglei', 'PASSWORD_CONTAINS_USERNAME'],
    ['password1234', 'o1', 'PASSWORD_COMMON'],
    ['P@ssw0rd2024!', 'o1', 'PASSWORD_COMMON'],
    ['Admin12345678', 'o1', 'PASSWORD_COMMON'],
    ['woaini1314520', 'o1', 'PASSWORD_COMMON'],
    ['adminadminadmin', 'o1', 'PASSWORD_COMMON'],
    ['qwertyuiop123', 'o1', 'PASSWORD_COMMON'],
    ['1qaz2wsx3edc', 'o1', 'PASSWORD_TRIVIAL'],
    ['aaaaaaaaaaaaaaaa', 'o1', 'PASSWORD_TRIVIAL'],
    ['abababababab', 'o1', 'PASSWORD_TRIVIAL'],
    ['123456789012', 'o1', 'PASSWORD_COMMON'],
    ['abcdefghijklmn', 'o1', 'PASSWORD_TRIVIAL'],
    ['lkjhgfdsa', 'o1', 'PASSWORD_TOO_SHORT'],
    ['zyxwvutsrqponm', 'o1', 'PASSWORD_TRIVIAL'],
  ])('refuses %j for %j: %s', (password, username, problem) => {
    expect(passwordProblem(password, username)).toBe(problem);
  });

  it.each([
    ['correct horse battery staple', 'o1'],
    ['贵阳南明区防疫2024春', 'o1'],
    ['pass-word-123', 'nanming'],
    ['Tq8#vL2m!xR9pZ', 'admin'],
  ])('accepts %j', (password, username) => {
    expect(passwordProblem(password, username)).toBeUndefined();
  });

  it('refuses anything shorter than the minimum and anything containing the username', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: PASSWORD_MIN_LENGTH - 1, unit: 'binary' }), (pw) => {
        expect(passwordProblem(pw, 'someone')).toBe('PASSWORD_TOO_SHORT');
      }),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{2,15}$/),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (user, before, after) => {
          const pw = `${before}${user.toUpperCase()}${after}x1!`.padEnd(PASSWORD_MIN_LENGTH, '#');
          expect(passwordProblem(pw, user)).toBe(
            Array.from(pw).length > 128 ? 'PASSWORD_TOO_LONG' : 'PASSWORD_CONTAINS_USERNAME',
          );
        },
      ),
    );
  });

  it('accepts random 16-character passwords', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (bytes) => {
        const pw = Buffer.from(bytes).toString('base64url');
        // a random string is refused only if it happens to hold the username or be trivial
        expect(passwordProblem(pw + 'Zq', 'nobody-else')).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
