/**
 * Redis status cache. Residents are packed 128 to a hash (`<prefix>st:<id >> 7>`, field = id) so
 * Redis stores them as listpacks: far less per-key overhead than one key per resident.
 *
 * Optional near cache (api processes, `nearCacheEntries` > 0): decoded statuses are kept in this
 * process and Redis itself says when one changes — server-assisted client-side caching (`CLIENT
 * TRACKING … REDIRECT` to a second connection subscribed to `__redis__:invalidate`). Any writer
 * anywhere (the recompute workers, `hc`, redis-cli) invalidates the bucket here within a
 * round trip, so code display reads memory instead of paying a Redis round trip per request
 * (~13 µs of event-loop CPU, bench/code-display/micro.ts). The near cache is used only while both
 * connections are up and tracking is on; any disconnect empties it.
 *
 * Writes are compare-and-set (docs/DESIGN.md §3): a small Lua script per bucket replaces a
 * resident's entry only when the stored one is not newer (its version is the encoded array's 6th
 * element, domain/hot-status.ts), atomically in Redis, so two workers' writes land in version order
 * whatever order they arrive in. The near cache likewise never replaces a newer entry by an older one.
 */
import { Redis, type ChainableCommander } from 'ioredis';
import { decodeHotStatus, encodeHotStatus, type HotStatus } from '../../domain/hot-status.ts';
import { compareStatusVersions } from '../../domain/status.ts';
import type { StatusCache } from '../../ports/status-cache.port.ts';

const BUCKET_SHIFT = 7;

/**
 * KEYS[1]: a bucket; ARGV: per resident six values — field, encoded status, highest fact id, fact
 * count, policy number, computed at (ms). Sets each field unless the stored entry's version is newer,
 * compared as domain/status.ts compareStatusVersions does. The stored version is the 6th element, a
 * string of four base-36 numbers "id.count.policy.ms" (domain/hot-status.ts encodeStatusVersion);
 * entries written before it have the 8th, [id, count, ms, policy] (no policy number: 0), and are
 * compared by it; an entry without either (written before versions, or unreadable) is replaced.
 * Base 36 in Lua: tonumber(s, 36) (strtoul); at most 10 digits a part, as decodeStatusVersion reads.
 * Returns how many were set.
 */
const SET_IF_NOT_OLDER = `
local function stored_version(old)
  local ok, a = pcall(cjson.decode, old)
  if not ok or type(a) ~= 'table' then return nil end
  local s = a[6]
  if type(s) == 'string' then
    local i, n, p, t = string.match(s, '^([0-9a-z]+)%.([0-9a-z]+)%.([0-9a-z]+)%.([0-9a-z]+)$')
    if not i or #i > 10 or #n > 10 or #p > 10 or #t > 10 then return nil end
    i, n, p, t = tonumber(i, 36), tonumber(n, 36), tonumber(p, 36), tonumber(t, 36)
    if i and n and p and t then return i, n, p, t end
    return nil
  end
  local v = a[8]
  if type(v) == 'table' and type(v[1]) == 'number' and type(v[2]) == 'number' and type(v[3]) == 'number' then
    return v[1], v[2], tonumber(v[4]) or 0, v[3]
  end
  return nil
end
local set = 0
for i = 1, #ARGV, 6 do
  local newer = false
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old then
    local vi, vn, vp, vt = stored_version(old)
    if vi then
      local id, n, ps, t = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
      newer = vi > id or (vi == id and (vn > n or (vn == n and (vp > ps or (vp == ps and vt > t)))))
    end
  end
  if not newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    set = set + 1
  end
end
return set
`;

interface CasCommands {
  hcSetIfNotOlder(key: string, ...args: Array<string | number>): Promise<number>;
}

export interface RedisStatusCacheOptions {
  /** residents kept in process memory with Redis invalidation; 0 (default) turns the near cache off */
  nearCacheEntries?: number;
}

export class RedisStatusCache implements StatusCache {
  readonly redis: Redis;
  /** near-cache hits and misses since start (metrics, tests) */
  readonly nearStats = { hits: 0, misses: 0, invalidations: 0 };
  private readonly near = new Map<number, Map<number, HotStatus>>();
  private nearSize = 0;
  private readonly nearMax: number;
  private subscriber: Redis | undefined;
  /** true while invalidations are guaranteed to reach us */
  private tracking = false;
  /** bumped on every invalidation or tracking change: a read that saw it change caches nothing */
  private epoch = 0;

  constructor(
    url: string,
    private readonly prefix = 'hc:',
    opts: RedisStatusCacheOptions = {},
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
    // EVALSHA, with EVAL when the server does not know the script yet
    this.redis.defineCommand('hcSetIfNotOlder', { numberOfKeys: 1, lua: SET_IF_NOT_OLDER });
    this.nearMax = opts.nearCacheEntries ?? 0;
    if (this.nearMax > 0) this.startTracking(url);
  }

  private key(id: number): string {
    return `${this.prefix}st:${id >> BUCKET_SHIFT}`;
  }

  async get(personId: number): Promise<HotStatus | undefined> {
    const bucket = personId >> BUCKET_SHIFT;
    if (this.tracking) {
      const hit = this.near.get(bucket)?.get(personId);
      if (hit !== undefined) {
        this.nearStats.hits++;
        return hit;
      }
      this.nearStats.misses++;
    }
    const tracked = this.tracking;
    const epoch = this.epoch;
    const s = await this.redis.hget(this.key(personId), String(personId));
    if (s === null) return undefined;
    const h = decodeHotStatus(s);
    // Any invalidation or tracking change meanwhile bumped the epoch: then the value may be stale.
    if (h !== undefined && tracked && epoch === this.epoch) this.remember(bucket, personId, h);
    return h;
  }

  async setMany(entries: ReadonlyArray<readonly [number, HotStatus]>): Promise<void> {
    if (entries.length === 0) return;
    const byBucket = new Map<number, Array<string | number>>();
    for (const [id, h] of entries) {
      const bucket = id >> BUCKET_SHIFT;
      let args = byBucket.get(bucket);
      if (args === undefined) byBucket.set(bucket, (args = []));
      const v = h.version;
      args.push(String(id), encodeHotStatus(h), v.factVersion, v.factCount, v.policySeq, v.computedAt);
    }
    const p = this.redis.pipeline() as ChainableCommander & CasCommands;
    for (const [bucket, args] of byBucket) void p.hcSetIfNotOlder(`${this.prefix}st:${bucket}`, ...args);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
    // Our own writes are visible to our next read at once (Redis's invalidation follows anyway).
    for (const bucket of byBucket.keys()) this.forgetBucket(bucket);
  }

  async delete(personId: number): Promise<void> {
    await this.redis.hdel(this.key(personId), String(personId));
    this.forgetBucket(personId >> BUCKET_SHIFT);
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
    this.setTracking(false);
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }

  private remember(bucket: number, personId: number, h: HotStatus): void {
    let entries = this.near.get(bucket);
    if (entries === undefined) {
      // Full: drop the oldest buckets (Map keeps insertion order), about 1/8 of the cache.
      if (this.nearSize >= this.nearMax) this.evict(Math.max(1, this.nearMax >> 3));
      entries = new Map();
      this.near.set(bucket, entries);
    }
    const kept = entries.get(personId);
    if (kept === undefined) this.nearSize++;
    // A read that raced a write may bring an older entry than one remembered meanwhile: keep the newer.
    else if (compareStatusVersions(kept.version, h.version) > 0) return;
    entries.set(personId, h);
  }

  private evict(count: number): void {
    let freed = 0;
    for (const [bucket, entries] of this.near) {
      if (freed >= count) break;
      freed += entries.size;
      this.nearSize -= entries.size;
      this.near.delete(bucket);
    }
  }

  private forgetBucket(bucket: number): void {
    this.epoch++;
    const entries = this.near.get(bucket);
    if (entries === undefined) return;
    this.nearSize -= entries.size;
    this.near.delete(bucket);
  }

  private setTracking(on: boolean): void {
    this.tracking = on;
    this.forgetAll();
  }

  private forgetAll(): void {
    this.epoch++;
    this.near.clear();
    this.nearSize = 0;
  }

  /** Subscribes a second connection to invalidations and turns tracking on for the main one. */
  private startTracking(url: string): void {
    const sub = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.subscriber = sub;
    const bucketPrefix = `${this.prefix}st:`;
    sub.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | null) => {
      this.nearStats.invalidations++;
      if (keys === null) return this.forgetAll(); // FLUSHDB/FLUSHALL
      for (const k of keys) {
        const key = k.toString();
        if (key.startsWith(bucketPrefix)) this.forgetBucket(Number(key.slice(bucketPrefix.length)));
      }
    });
    let subscriberId: number | undefined;
    const enable = async (): Promise<void> => {
      if (subscriberId === undefined || this.redis.status !== 'ready') return;
      try {
        // Default (not BCAST) mode: Redis tells us once per key we have read, so a full recompute
        // does not flood every api process with invalidations of keys it never showed.
        await this.redis.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subscriberId));
        this.setTracking(true);
      } catch {
        this.setTracking(false);
      }
    };
    sub.on('ready', () => {
      void (async () => {
        try {
          subscriberId = Number(await sub.client('ID'));
          await sub.subscribe('__redis__:invalidate');
          await enable();
        } catch {
          this.setTracking(false);
        }
      })();
    });
    const lost = () => {
      subscriberId = undefined;
      this.setTracking(false);
    };
    sub.on('close', lost);
    sub.on('end', lost);
    this.redis.on('close', () => this.setTracking(false));
    this.redis.on('ready', () => void enable());
  }
}
