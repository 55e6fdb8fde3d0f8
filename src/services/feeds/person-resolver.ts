/**
 * Finds the persons feed rows name, in bulk: documents through the keyed document hash, phones
 * (the carrier's person id) through the keyed phone hash, each distinct reference of a batch
 * hashed and looked up once. Nothing is kept between batches: a list names most persons once, so a
 * cache held every row's person for nothing (memory, and garbage collection of it), and the pings
 * loader, whose files name the same phones a million times, keeps its own phone → person map.
 */
import type { FeedRepository, ResolvedPerson } from '../../adapters/feeds/feed.repository.ts';
import { personRefKey, type PersonRef } from '../../domain/feeds/record.ts';
import type { ResidentService } from '../resident.service.ts';

export class PersonResolver {
  constructor(
    private readonly repo: FeedRepository,
    private readonly residents: ResidentService,
  ) {}

  /** Resolves every ref (unknown persons map to null). */
  async resolve(refs: Iterable<PersonRef>): Promise<Map<string, ResolvedPerson | null>> {
    const out = new Map<string, ResolvedPerson | null>();
    const docs = new Map<string, { key: string; docType: number; hash: string }>();
    const phones = new Map<string, string>();
    for (const ref of refs) {
      const key = personRefKey(ref);
      if (out.has(key)) continue;
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
    return out;
  }
}
