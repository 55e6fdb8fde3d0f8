/**
 * Redis status cache. Residents are packed 128 to a hash (`<prefix>st:<id >> 7>`, field = id) so
 * Redis stores them as listpacks: far less per-key overhead than one key per resident.
 */
import { Redis } from 'ioredis';
import { decodeHotStatus, encodeHotStatus, type HotStatus } from '../../domain/hot-status.ts';
import type { StatusCache } from '../../ports/status-cache.port.ts';

const BUCKET_SHIFT = 7;

export class RedisStatusCache implements StatusCache {
  readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'hc:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
  }

  private key(id: number): string {
    return `${this.prefix}st:${id >> BUCKET_SHIFT}`;
  }

  async get(personId: number): Promise<HotStatus | undefined> {
    const s = await this.redis.hget(this.key(personId), String(personId));
    return s === null ? undefined : decodeHotStatus(s);
  }

  async setMany(entries: ReadonlyArray<readonly [number, HotStatus]>): Promise<void> {
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    for (const [id, h] of entries) p.hset(this.key(id), String(id), encodeHotStatus(h));
    await p.exec();
  }

  async delete(personId: number): Promise<void> {
    await this.redis.hdel(this.key(personId), String(personId));
  }

  async size(): Promise<number> {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}st:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) {
        const p = this.redis.pipeline();
        for (const k of keys) p.hlen(k);
        for (const [, v] of (await p.exec()) ?? []) n += Number(v);
      }
    } while (cursor !== '0');
    return n;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
