/**
 * Keys derived from the one master key: PII encryption (AES-256-GCM), keyed lookup hashes
 * (HMAC-SHA-256), access-token MACs and the wrapping of signing keys. In demo mode the master key
 * is a generated file in the data folder; in production it comes from HC_MASTER_KEY.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SecretPurpose, Secrets } from '../../ports/secrets.port.ts';

export type { Secrets } from '../../ports/secrets.port.ts';

type Purpose = SecretPurpose;

export function parseMasterKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (buf.length !== 32) throw new Error('HC_MASTER_KEY must be 32 bytes, as 64 hex characters or base64');
  return buf;
}

/** Reads dataDir/master.key, creating it (mode 0600) on first start. */
export function loadOrCreateMasterKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, 'master.key');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return parseMasterKey(fs.readFileSync(file, 'utf8'));
}

/** HMAC-SHA-256 of a value's UTF-8 under a key: what `lookupHash` computes with its key. */
export function keyedHash(key: Uint8Array, value: string): Buffer {
  return crypto.createHmac('sha256', key).update(value, 'utf8').digest();
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), `hc:${info}`, 32));
}

export function createSecrets(master: Buffer): Secrets {
  const keys: Record<Purpose, Buffer> = {
    pii: derive(master, 'pii-enc'),
    keywrap: derive(master, 'key-wrap'),
  };
  const lookupKey = derive(master, 'lookup');
  const tokenKey = derive(master, 'access-token');
  const decrypt = (box: Uint8Array, purpose: Purpose = 'pii'): Buffer => {
    const b = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
    if (b.length < 28) throw new Error('ciphertext too short');
    const d = crypto.createDecipheriv('aes-256-gcm', keys[purpose], b.subarray(0, 12));
    d.setAuthTag(b.subarray(12, 28));
    return Buffer.concat([d.update(b.subarray(28)), d.final()]);
  };
  return {
    encrypt(plain, purpose = 'pii') {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', keys[purpose], iv);
      const ct = Buffer.concat([
        c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
        c.final(),
      ]);
      return Buffer.concat([iv, c.getAuthTag(), ct]);
    },
    decrypt,
    decryptText: (box, purpose) => decrypt(box, purpose).toString('utf8'),
    lookupHash: (value) => keyedHash(lookupKey, value),
    lookupHashKey: lookupKey,
    tokenKey,
  };
}
