import { createPublicKey, verify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSigner, generateSigningKey } from './signing-key.ts';
import { SigningThread } from './signing-thread.ts';

const verifies = (spki: Uint8Array, alg: -7 | -8, data: Uint8Array, sig: Uint8Array) => {
  const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return alg === -7
    ? verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)
    : verify(null, data, pub, sig);
};

describe('SigningThread', () => {
  const thread = new SigningThread();
  afterAll(() => thread.close());

  it('signs many codes at once, each with its own key, on the thread', async () => {
    const es = generateSigningKey(-7);
    const ed = generateSigningKey(-8);
    const signers = [thread.wrap(es, createSigner(es)), thread.wrap(ed, createSigner(ed))];
    const inputs = Array.from({ length: 300 }, (_, i) =>
      new TextEncoder().encode(`Signature1 payload ${i} ${'x'.repeat(i % 50)}`),
    );
    const sigs = await Promise.all(inputs.map((d, i) => signers[i % 2]!.signAsync!(d)));
    for (let i = 0; i < inputs.length; i++) {
      const key = i % 2 ? ed : es;
      expect(sigs[i]).toHaveLength(64);
      expect(verifies(key.publicKeySpki, key.alg as -7 | -8, inputs[i]!, sigs[i]!)).toBe(true);
      // and not the other input's signature
      expect(
        verifies(key.publicKeySpki, key.alg as -7 | -8, inputs[(i + 2) % inputs.length]!, sigs[i]!),
      ).toBe(false);
    }
    expect(thread.stats.threaded).toBe(300);
    expect(thread.stats.batches).toBeLessThan(300); // gathered, not one message per code
    expect(thread.stats.fallback).toBe(0);
  });

  it('keeps signing on the event loop when the thread is gone', async () => {
    const other = new SigningThread();
    const key = generateSigningKey(-7);
    const signer = other.wrap(key, createSigner(key));
    const data = new TextEncoder().encode('after the thread died');
    const pending = signer.signAsync!(data);
    await other.close();
    const [a, b] = await Promise.all([pending, signer.signAsync!(data)]);
    expect(verifies(key.publicKeySpki, -7, data, a)).toBe(true);
    expect(verifies(key.publicKeySpki, -7, data, b)).toBe(true);
    expect(other.stats.fallback).toBeGreaterThanOrEqual(1);
  });
});
