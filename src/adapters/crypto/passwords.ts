/**
 * Staff passwords: scrypt (N = 2^14, r = 8, p = 1) with a random salt, compared in constant time.
 * Asynchronous on the libuv pool: a sign-in must not block the event loop for ~100 ms.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { PasswordHasher } from '../../ports/password-hasher.port.ts';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export class ScryptPasswordHasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = crypto.randomBytes(16);
    const hash = await scrypt(password, salt, 32);
    return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, saltB64, hashB64] = stored.split('$');
    // A malformed stored hash still costs one scrypt, so it looks like any wrong password.
    const ok = scheme === 'scrypt' && !!saltB64 && !!hashB64;
    const expected = ok ? Buffer.from(hashB64, 'base64') : Buffer.alloc(32);
    const salt = ok ? Buffer.from(saltB64, 'base64') : Buffer.alloc(16);
    const actual = await scrypt(password, salt, expected.length || 32);
    return ok && expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
  }
}
