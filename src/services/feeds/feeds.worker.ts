/**
 * The feeds' consumers (docs/DESIGN.md §5): one per feed on its event stream (`feeds.<feed>`).
 * The worker role starts them with retention and the fact watch (roles/feeds.feature.ts).
 */
import type { Logger } from 'pino';
import type { RawRecord } from '../../domain/feeds/record.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';
import { FEED_NAMES, type FeedName } from './feed-types.ts';
import type { IngestService } from './ingest.service.ts';

/** Subscribes one consumer group per feed; returns the subscriptions. */
export async function consumeFeeds(
  stream: EventBus,
  ingest: IngestService,
  log: Logger,
  feeds: readonly FeedName[] = FEED_NAMES,
): Promise<Subscription[]> {
  const subs: Subscription[] = [];
  for (const feed of feeds) {
    subs.push(
      await stream.subscribe(`feeds.${feed}`, `feeds-${feed}`, async (payload) => {
        // A message is one record or an array of records; bad records are set aside, not retried.
        const records = (Array.isArray(payload) ? payload : [payload]).filter(
          (r): r is RawRecord => typeof r === 'object' && r !== null,
        );
        const errors = [];
        for (const rec of records) {
          const r = await ingest.ingestRecord(feed, rec);
          errors.push(...r.errors.map((e) => ({ ...e, record: rec })));
        }
        if (errors.length) {
          log.warn({ feed, rejected: errors.length, first: errors[0] }, 'feed records rejected');
          await stream.publish(`feeds.rejected.${feed}`, { feed, errors }).catch(() => undefined);
        }
      }),
    );
  }
  return subs;
}
