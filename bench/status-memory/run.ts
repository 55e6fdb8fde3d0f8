/**
 * bench/status-memory: Redis memory per resident for hot statuses (target ≤ 100 bytes,
 * docs/DESIGN.md §13). Writes N realistic hot statuses through RedisStatusCache and reads used_memory.
 *
 *   node --import tsx bench/status-memory/run.ts [--residents 1000000] [--spread]
 *
 * By default the 6.2 % of residents who are not green are runs of 62 consecutive ids in every
 * 1 000, so most buckets of 128 hold green residents only; --spread scatters them over the ids
 * (a multiplicative hash), as in a real population, so nearly every bucket holds a few.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { RedisStatusCache } from '../../src/adapters/cache/redis-status-cache.ts';
import type { HotStatus } from '../../src/domain/hot-status.ts';
import { encodeHotStatus } from '../../src/domain/hot-status.ts';
import { newCodeSubject } from '../../src/domain/token/subject.ts';
import { finishProvenance, provenanceMarkdown, startProvenance } from '../lib/provenance.ts';
import { helpIfAsked } from '../lib/usage.ts';

helpIfAsked(`基准：热状态内存 Redis memory per resident for hot statuses (writes bench/results/status-memory.{json,md}).
Usage: node --import tsx bench/status-memory/run.ts [--residents 1000000] [--spread]
  --spread   residents who are not green scattered over the ids (default: runs of consecutive ids)`);

const PROVENANCE = startProvenance();

const i = process.argv.indexOf('--residents');
const N = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const spread = process.argv.includes('--spread');
const prefix = `hcbench:${crypto.randomBytes(3).toString('hex')}:`;
const cache = new RedisStatusCache(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);

const used = async () => Number(/used_memory:(\d+)/.exec(await cache.redis.info('memory'))?.[1] ?? 0);
const NAMES = ['张*三', '李*', '欧**娜', '王*明'];

function hotFor(id: number): HotStatus {
  const r = (spread ? Math.imul(id, 2654435761) >>> 0 : id) % 1000;
  const colour5 = r < 2 ? 4 : r < 12 ? 3 : r < 32 ? 2 : r < 62 ? 1 : 0;
  return {
    sub: newCodeSubject(crypto.randomBytes(12)),
    colour5: colour5 as HotStatus['colour5'],
    vaccineDoses: id % 4,
    lastNegativeTestDay: id % 3 === 0 ? 20_600 + (id % 5) : null,
    maskedName: NAMES[id % NAMES.length] as string,
    reasons: colour5 === 0 ? [] : [['red.close_contact', 1_795_000_000, 0]],
    nextReviewAt: colour5 === 0 ? 0 : 1_796_000_000,
    // a realistic version: a fact id in the tens of millions, a few facts, a recent time
    version: {
      factVersion: 40_000_000 + id,
      factCount: 1 + (id % 5),
      policySeq: 2,
      computedAt: 1_795_000_000_000 + id,
    },
  };
}

const before = await used();
let bytes = 0;
const t0 = Date.now();
for (let start = 1; start <= N; start += 10_000) {
  const batch: Array<[number, HotStatus]> = [];
  for (let id = start; id < Math.min(N + 1, start + 10_000); id++) {
    const h = hotFor(id);
    bytes += Buffer.byteLength(encodeHotStatus(h));
    batch.push([id, h]);
  }
  await cache.setMany(batch);
}
const after = await used();
const perResident = (after - before) / N;
const result = {
  benchmark: 'status-memory',
  provenance: finishProvenance(PROVENANCE),
  at: new Date().toISOString(),
  residents: N,
  spread,
  redisBytesPerResident: Math.round(perResident * 10) / 10,
  encodedValueBytesAverage: Math.round((bytes / N) * 10) / 10,
  writeSeconds: (Date.now() - t0) / 1000,
  target: 100,
  met: perResident <= 100,
};
// clean up
let cursor = '0';
do {
  const [next, keys] = await cache.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length) await cache.redis.del(...keys);
} while (cursor !== '0');
await cache.close();
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync('bench/results/status-memory.json', JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(
  'bench/results/status-memory.md',
  `# Hot status memory\n\n${provenanceMarkdown(result.provenance)}\nRedis used_memory grows by **${result.redisBytesPerResident} bytes per resident** (target ≤ 100) for ${N} residents packed 128 to a hash (listpack)${spread ? ', residents who are not green scattered over the ids' : ''}; the encoded value averages ${result.encodedValueBytesAverage} bytes.\n`,
);
console.log(JSON.stringify(result, null, 2));
