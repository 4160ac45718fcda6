import { sql } from 'kysely';
import { PREPARED } from '../store/prepared.js';
import { StatementGroup } from '../store/statement-group.js';
import type { Store } from '../store/store.js';
import type { Channel, ChannelDescription, PublishedCopy } from './channel.js';
import type { ChannelName } from './settings.js';

interface Operation {
  operation: 'publish' | 'update' | 'remove' | 'reply' | 'hide';
  idempotencyKey: string;
  target: string | null;
  payload: object;
}

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
  // The calls of the jobs running at once are recorded in one statement.
  const records = new StatementGroup(async (operations: readonly Operation[]) => {
    const { rows: inserted } = await sql<{ id: number; idempotency_key: string }>`${PREPARED}
      insert into outbox (channel, operation, idempotency_key, target, payload)
      select ${name}, operation, idempotency_key, target, payload
      from unnest(${operations.map((o) => o.operation)}::text[], ${operations.map((o) => o.idempotencyKey)}::text[], ${operations.map((o) => o.target)}::text[], ${operations.map((o) => JSON.stringify(o.payload))}::jsonb[])
        as operation(operation, idempotency_key, target, payload)
      on conflict (idempotency_key) do nothing
      returning id, idempotency_key`.execute(store.db);
    const ids = new Map(inserted.map((row) => [row.idempotency_key, row.id]));
    const earlier = operations.filter((o) => !ids.has(o.idempotencyKey)).map((o) => o.idempotencyKey);
    if (earlier.length > 0) {
      const rows = await store.db.selectFrom('outbox').select(['id', 'idempotency_key']).where('idempotency_key', 'in', earlier).execute();
      for (const row of rows) ids.set(row.idempotency_key, row.id);
    }
    return operations.map((o) => {
      const id = ids.get(o.idempotencyKey);
      if (id === undefined) throw new Error(`outbox: the row for ${o.idempotencyKey} was neither written nor found`);
      return id;
    });
  });
  const record = (operation: Operation['operation'], idempotencyKey: string, target: string | null, payload: object): Promise<number> => records.run({ operation, idempotencyKey, target, payload });

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
