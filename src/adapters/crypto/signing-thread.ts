/**
 * Code signatures on a dedicated thread. A P-256 signature costs ~30 µs of CPU — more than a
 * whole bare Fastify request — so code display hands them to a thread of its own: the event loop
 * gathers every signature asked for during one turn, posts them as one message (inputs packed in
 * one transferred buffer), and the thread answers with one buffer of 64-byte signatures. The
 * event loop pays ~1 µs per code instead of ~30, and the thread signs back to back, keeping
 * OpenSSL's P-256 tables in its core's cache (bench/code-display, docs/ARCHITECTURE.md).
 *
 * If the thread dies, pending and later signatures are made on the event loop: slower, never lost.
 */
import { Worker } from 'node:worker_threads';
import { SIGNATURE_LENGTH } from '../../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../../domain/token/jkm1.ts';
import type { SigningKey } from './signing-key.ts';

// Plain CommonJS so the thread needs no TypeScript loader; it only signs.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const keys = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'key') {
    const key = crypto.createPrivateKey({ key: Buffer.from(m.pkcs8), format: 'der', type: 'pkcs8' });
    keys.set(m.slot, m.alg === -7 ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return;
  }
  const input = new Uint8Array(m.input);
  const out = new Uint8Array(m.count * ${SIGNATURE_LENGTH});
  const failed = new Uint8Array(m.count);
  for (let i = 0; i < m.count; i++) {
    const key = keys.get(m.slots[i]);
    try {
      const data = input.subarray(m.offsets[i], m.offsets[i + 1]);
      out.set(key.dsaEncoding ? crypto.sign('sha256', data, key) : crypto.sign(null, data, key), i * ${SIGNATURE_LENGTH});
    } catch {
      failed[i] = 1;
    }
  }
  parentPort.postMessage({ id: m.id, out: out.buffer, failed }, [out.buffer]);
});
`;

interface Pending {
  slot: number;
  data: Uint8Array;
  fallback: TokenSigner;
  resolve: (sig: Uint8Array) => void;
  reject: (err: unknown) => void;
}

export class SigningThread {
  private worker: Worker | undefined;
  private queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private flushScheduled = false;
  private nextBatch = 1;
  private nextSlot = 0;
  /** signatures made on the thread, and on the event loop because the thread was gone */
  readonly stats = { threaded: 0, fallback: 0, batches: 0 };

  constructor() {
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    worker.unref(); // never keeps a process (a CLI command, a test) alive
    worker.on('message', (m: { id: number; out: ArrayBuffer; failed: Uint8Array }) => this.settle(m));
    worker.on('error', () => this.lose());
    worker.on('exit', () => this.lose());
    this.worker = worker;
  }

  /** `base` with its signatures made on this thread (same key, same output format). */
  wrap(key: SigningKey, base: TokenSigner): TokenSigner {
    const slot = this.nextSlot++;
    this.worker?.postMessage({ type: 'key', slot, alg: key.alg, pkcs8: key.privateKeyPkcs8 });
    return {
      alg: base.alg,
      kid: base.kid,
      sign: (data) => base.sign(data),
      signAsync: (data) =>
        new Promise<Uint8Array>((resolve, reject) => {
          if (this.worker === undefined) return resolve(this.signHere(base, data));
          this.queue.push({ slot, data, fallback: base, resolve, reject });
          if (!this.flushScheduled) {
            this.flushScheduled = true;
            // after this turn's I/O callbacks: one message carries every code asked for meanwhile
            setImmediate(() => this.flush());
          }
        }),
    };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.lose();
    await w?.terminate();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    if (this.worker === undefined) return this.signAllHere(batch);
    let total = 0;
    for (const p of batch) total += p.data.length;
    const input = new Uint8Array(total);
    const offsets = new Uint32Array(batch.length + 1);
    const slots = new Uint16Array(batch.length);
    let at = 0;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      input.set(p.data, at);
      offsets[i] = at;
      slots[i] = p.slot;
      at += p.data.length;
    }
    offsets[batch.length] = at;
    const id = this.nextBatch++;
    this.inFlight.set(id, batch);
    this.stats.batches++;
    this.worker.postMessage({ type: 'sign', id, count: batch.length, input: input.buffer, offsets, slots }, [
      input.buffer,
    ]);
  }

  private settle(m: { id: number; out: ArrayBuffer; failed: Uint8Array }): void {
    const batch = this.inFlight.get(m.id);
    if (batch === undefined) return;
    this.inFlight.delete(m.id);
    const out = new Uint8Array(m.out);
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      if (m.failed[i]) p.resolve(this.signHere(p.fallback, p.data));
      else {
        this.stats.threaded++;
        p.resolve(out.subarray(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH));
      }
    }
  }

  /** The thread is gone: everything waiting is signed here, and so is everything after. */
  private lose(): void {
    if (this.worker === undefined) return;
    this.worker = undefined;
    const waiting = [...this.inFlight.values()].flat().concat(this.queue);
    this.inFlight.clear();
    this.queue = [];
    this.signAllHere(waiting);
  }

  private signAllHere(batch: Pending[]): void {
    for (const p of batch) {
      try {
        p.resolve(this.signHere(p.fallback, p.data));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  private signHere(base: TokenSigner, data: Uint8Array): Uint8Array {
    this.stats.fallback++;
    return base.sign(data);
  }
}
