/**
 * Finds the persons feed rows name, in bulk: documents through the keyed document hash, phones
 * (the carrier's person id) through the keyed phone hash. Results are cached for one import, so a
 * file naming the same phones a million times hashes and looks each up once.
 */
import type { FeedRepository, ResolvedPerson } from '../../adapters/feeds/feed.repository.ts';
import { personRefKey, type PersonRef } from '../../domain/feeds/record.ts';
import type { ResidentService } from '../resident.service.ts';

export class PersonResolver {
  private readonly cache = new Map<string, ResolvedPerson | null>();

  constructor(
    private readonly repo: FeedRepository,
    private readonly residents: ResidentService,
    private readonly maxCache = 2_000_000,
  ) {}

  /** Resolves every ref (unknown persons map to null). */
  async resolve(refs: Iterable<PersonRef>): Promise<Map<string, ResolvedPerson | null>> {
    const out = new Map<string, ResolvedPerson | null>();
    const docs = new Map<string, { key: string; docType: number; hash: string }>();
    const phones = new Map<string, string>();
    for (const ref of refs) {
      const key = personRefKey(ref);
      if (out.has(key)) continue;
      const hit = this.cache.get(key);
      if (hit !== undefined) {
        out.set(key, hit);
        continue;
      }
      out.set(key, null);
      if (ref.kind === 'document') {
        const hash = this.residents.docHash(ref.docType, ref.number).toString('hex');
        docs.set(`${ref.docType}:${hash}`, { key, docType: ref.docType, hash });
      } else phones.set(this.residents.phoneHash(ref.phone).toString('hex'), key);
    }
    if (docs.size) {
      const found = await this.repo.personsByDocHash([...docs.values()]);
      for (const [k, d] of docs) out.set(d.key, found.get(k) ?? null);
    }
    if (phones.size) {
      const found = await this.repo.personsByPhoneHash([...phones.keys()]);
      for (const [h, key] of phones) out.set(key, found.get(h) ?? null);
    }
    if (this.cache.size > this.maxCache) this.cache.clear();
    // Unknown persons are not cached: the registry may import them before the next batch.
    for (const [k, v] of out) if (v) this.cache.set(k, v);
    return out;
  }
}
