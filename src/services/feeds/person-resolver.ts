/**
 * Finds the persons feed rows name, in bulk: documents through the keyed document hash, phones
 * (the carrier's person id) through the keyed phone hash, each distinct reference of a batch
 * hashed and looked up once. Nothing is kept between batches: a list names most persons once, so a
 * cache held every row's person for nothing (memory, and garbage collection of it), and the pings
 * loader, whose files name the same phones a million times, keeps its own phone → person map.
 */
import { personRefKey, type PersonRef } from '../../domain/feeds/record.ts';
import type { PersonLookup, ResolvedPerson } from '../../ports/feed-store.port.ts';
import type { ResidentService } from '../resident.service.ts';

export class PersonResolver {
  constructor(
    private readonly repo: PersonLookup,
    private readonly residents: ResidentService,
  ) {}

  /**
   * Resolves every ref (unknown persons map to null). `hashOf(i)`: the lookup hash of the i-th ref,
   * when a reader thread has computed it already; otherwise it is computed here.
   */
  async resolve(
    refs: readonly PersonRef[],
    hashOf?: (i: number) => Uint8Array,
  ): Promise<Map<string, ResolvedPerson | null>> {
    const out = new Map<string, ResolvedPerson | null>();
    const docs: Array<{ key: string; docType: number; hash: Uint8Array }> = [];
    const phones = new Map<string, string>();
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as PersonRef;
      const key = personRefKey(ref);
      if (out.has(key)) continue;
      out.set(key, null);
      if (ref.kind === 'document') {
        docs.push({
          key,
          docType: ref.docType,
          hash: hashOf ? hashOf(i) : this.residents.docHash(ref.docType, ref.number),
        });
      } else
        phones.set(
          Buffer.from(hashOf ? hashOf(i) : this.residents.phoneHash(ref.phone)).toString('hex'),
          key,
        );
    }
    if (docs.length) {
      const found = await this.repo.personsByDocHash(docs);
      for (let i = 0; i < docs.length; i++) out.set((docs[i] as (typeof docs)[number]).key, found[i] ?? null);
    }
    if (phones.size) {
      const found = await this.repo.personsByPhoneHash([...phones.keys()]);
      for (const [h, key] of phones) out.set(key, found.get(h) ?? null);
    }
    return out;
  }
}
