import type { Store } from '../store/store.js';
import type { Channel, ChannelDescription, PublishedCopy } from './channel.js';
import type { ChannelName } from './settings.js';

export interface OutboxOptions {
  /** The platform's limits in words (its render spec's), which the rendered payloads keep to. */
  limits?: readonly string[];
}

/**
 * The dry-run mode of any channel: every operation is recorded in the `outbox` table, keyed by
 * its idempotency key, and nothing is sent. A repeated call (a retry, a re-run after a crash)
 * finds its earlier row and returns the same result, so each operation is recorded once.
 */
export function createOutboxChannel(store: Pick<Store, 'db'>, name: ChannelName, options: OutboxOptions = {}): Channel {
  async function record(operation: 'publish' | 'update' | 'remove' | 'reply' | 'hide', idempotencyKey: string, target: string | null, payload: object): Promise<number> {
    const inserted = await store.db
      .insertInto('outbox')
      .values({ channel: name, operation, idempotency_key: idempotencyKey, target, payload: JSON.stringify(payload) })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return inserted.id;
    const existing = await store.db.selectFrom('outbox').select('id').where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
    return existing.id;
  }

  const description: ChannelDescription = {
    name,
    dryRun: true,
    capabilities: { publish: true, update: true, remove: true, reply: true },
    limits: [...(options.limits ?? [])],
    // A row written to the store: its deadline is the database's, a few seconds at most, whatever
    // the platform's would be; a lease as long as the platform's would only delay a take-over.
    callTimeoutMs: 5_000,
  };

  return {
    name,
    describe: () => description,
    async publish(request): Promise<PublishedCopy> {
      const id = await record('publish', request.idempotencyKey, null, request.payload);
      return { platformId: `outbox-${name}-${id}`, url: null };
    },
    async update(request) {
      await record('update', `${request.idempotencyKey}:update:${request.version}:${request.state}`, request.platformId, request.payload);
    },
    async remove(request) {
      await record('remove', `${request.idempotencyKey}:remove`, request.platformId, {});
    },
    async reply(request) {
      const id = await record('reply', request.idempotencyKey, request.to.platformId, {
        to: request.to,
        text: request.text,
        visibility: request.visibility,
      });
      return { platformId: `outbox-${name}-reply-${id}` };
    },
    async hide(request) {
      await record('hide', request.idempotencyKey, request.platformId, {});
    },
  };
}
