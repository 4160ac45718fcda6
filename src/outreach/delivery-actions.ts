/**
 * What an action means for a delivery: bring the post's copy on one channel to the version and
 * state the delivery wants — publish it, update it (a new version, 마감, 취소) or remove it. The
 * action always works from the delivery as it stands when it runs, so a request that arrives
 * while one is open is carried by that one, and a change made during a call is caught when the
 * call's outcome is recorded (the action then runs again).
 */
import { sql, type Selectable } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { ActionRow } from '../outbound/actions.js';
import type { ActionHandler, ActionRun, ClaimRead, SubjectOutcome, Wait } from '../outbound/engine.js';
import type { DeliveryStatus, DeliveryTable } from '../store/outreach-tables.js';
import { moduleOf } from '../channels/registry.js';
import { raiseNotification, resolveNotifications } from '../notifications/notifications.js';
import { deliveryKey } from './deliveries.js';
import { setItemLinksIn } from './items.js';
import { RENDER_COLUMNS_SQL, renderPostFor, splitPostForRender, type RenderItem, type RenderPost } from './post-render.js';

const KIND_KO: Record<string, string> = { publish: '게시', retry: '게시', update: '수정', close: '마감 표시', cancel: '취소 표시', remove: '삭제' };

/** What an action reads of its delivery (see `claimRead`). */
const DELIVERY_COLUMNS = [
  'id', 'post_id', 'channel', 'status', 'desired_version', 'desired_state', 'platform_id', 'published_version', 'published_state', 'last_error',
] as const satisfies readonly (keyof Selectable<DeliveryTable>)[];
type ClaimedDelivery = Pick<Selectable<DeliveryTable>, (typeof DELIVERY_COLUMNS)[number]>;

/**
 * Read with each delivery action in the statement that claims it: the delivery (marked
 * 'publishing' with the attempt where a first publish is coming, so the mark is written before
 * the call), its post and the post's item, for rendering.
 */
const FIRST_PUBLISH = sql`(deliveries.platform_id is null and deliveries.status not in ('cancelled', 'removed', 'failed') and deliveries.desired_state <> 'removed')`;
const CLAIM_READ: ClaimRead = {
  ctes: sql`delivery_marked as (
    update deliveries set
      status = case when ${FIRST_PUBLISH} then 'publishing' else deliveries.status end,
      attempts = case when ${FIRST_PUBLISH} then claimed.attempts else deliveries.attempts end,
      updated_at = case when ${FIRST_PUBLISH} then now() else deliveries.updated_at end
    from claimed
    where claimed.subject_type = 'delivery' and deliveries.id = claimed.subject_id
    returning ${sql.raw(DELIVERY_COLUMNS.map((column) => `deliveries.${column}`).join(', '))}
  )`,
  columns: sql`${sql.raw(DELIVERY_COLUMNS.map((column) => `delivery_marked.${column} as "delivery.${column}"`).join(', '))}, ${RENDER_COLUMNS_SQL}`,
  joins: sql`left join delivery_marked on claimed.subject_type = 'delivery' and delivery_marked.id = claimed.subject_id
    left join posts on posts.id = delivery_marked.post_id left join content_items on content_items.id = posts.item_id`,
};

/** The delivery, post and item `CLAIM_READ` read with an action, or null when the delivery is gone. */
function claimedDelivery(subject: Readonly<Record<string, unknown>>) {
  if (subject['delivery.id'] === null || subject['delivery.id'] === undefined) return null;
  const delivery = Object.fromEntries(DELIVERY_COLUMNS.map((column) => [column, subject[`delivery.${column}`]])) as ClaimedDelivery;
  return { delivery, ...splitPostForRender<RenderPost, RenderItem>(subject) };
}

function inStep(d: { platform_id: string | null; published_version: number | null; published_state: string | null; desired_version: number; desired_state: string }): boolean {
  return d.platform_id !== null && d.published_version === d.desired_version && d.published_state === d.desired_state;
}

/** What a call's outcome writes on its delivery; a column left out keeps its value. */
interface CopyValues {
  status: DeliveryStatus;
  platform_id?: string | null;
  platform_url?: string | null;
  published_version?: number;
  published_state?: string;
  published_at?: Date;
  attempts?: number;
}

const COPY_COLUMNS = {
  status: 'text',
  platform_id: 'text',
  platform_url: 'text',
  published_version: 'integer',
  published_state: 'text',
  published_at: 'timestamptz',
  attempts: 'integer',
} as const satisfies Record<keyof CopyValues, string>;

/**
 * Records calls' outcomes on their deliveries, saying of each whether it is in step with what it
 * wants now: the update locks the row, so a change committed meanwhile is seen here. One
 * statement part for however many, its text the same for any number (each column goes in as an
 * array, with whether it was given).
 */
function recordCopies(outcomes: readonly SubjectOutcome[]) {
  const columns = Object.entries(COPY_COLUMNS) as [keyof CopyValues, string][];
  const values = outcomes.map((o) => o.values as CopyValues);
  const arrays = columns.flatMap(([column, type]) => [
    sql`${values.map((v) => column in v)}::boolean[]`,
    sql`${values.map((v) => v[column] ?? null)}::${sql.raw(type)}[]`,
  ]);
  const names = sql.raw(['id', 'action_id', ...columns.flatMap(([column]) => [`given_${column}`, column])].join(', '));
  const assignments = sql.join(columns.map(([column]) => sql.raw(`${column} = case when copy.given_${column} then copy.${column} else deliveries.${column} end`)));
  return sql<{ action_id: number; in_step: boolean }>`
    update deliveries set ${assignments}, last_error = null, next_attempt_at = null, updated_at = now()
    from unnest(${outcomes.map((o) => o.subjectId)}::integer[], ${outcomes.map((o) => o.actionId)}::integer[], ${sql.join(arrays)}) as copy(${names})
    where deliveries.id = copy.id
    returning copy.action_id, case when deliveries.desired_state = 'removed' then deliveries.status in ('removed', 'cancelled')
      else deliveries.platform_id is not null and deliveries.published_version = deliveries.desired_version and deliveries.published_state = deliveries.desired_state end as in_step`;
}

export function deliveryActionHandler(ctx: AppContext): ActionHandler {
  return {
    subjectType: 'delivery',
    claimRead: CLAIM_READ,
    recordOutcomes: recordCopies,

    async perform(action: ActionRow, run: ActionRun): Promise<void> {
      const loaded = claimedDelivery(run.subject);
      if (!loaded) return;
      const { delivery: d, post, item } = loaded;
      const key = deliveryKey(d.post_id, d.channel);
      if (d.status === 'cancelled' || d.status === 'removed') return;
      // A delivery that failed before making any copy goes again only when staff retry it.
      if (d.status === 'failed' && !d.platform_id && action.kind !== 'retry') return;

      // A copy whose link its item carries (a YouTube broadcast's watch link) takes the link with it when it goes.
      const links = moduleOf(d.channel as ChannelName).itemLinks;
      const itemId = post.item_id;
      const withItemLink = async (values: CopyValues, link: { label: string; url: string | null }[], result: Record<string, unknown>) => {
        await run.finish(
          (db) =>
            db.transaction().execute(async (trx) => {
              const { rows } = await recordCopies([{ actionId: action.id, subjectId: d.id, values }]).execute(trx);
              await setItemLinksIn(ctx, trx, itemId!, link, d.channel, 'system:delivery');
              return rows[0]?.in_step ? 'done' : 'again';
            }),
          result,
        );
        // The other copies' updates were committed with the link: send them now.
        ctx.relay.kick();
      };
      const unlinked = links && itemId !== null ? links.labels.map((label) => ({ label, url: null })) : [];

      if (d.desired_state === 'removed') {
        if (!d.platform_id) {
          await run.finishWith({ status: 'cancelled' });
          return;
        }
        await run.channel.remove({ idempotencyKey: key, platformId: d.platform_id }, run.signal);
        const removed: CopyValues = { status: 'removed', published_state: 'removed', attempts: action.attempts };
        if (unlinked.length > 0) await withItemLink(removed, unlinked, { platformId: d.platform_id });
        else await run.finishWith(removed, { platformId: d.platform_id });
        return;
      }
      if (inStep(d)) {
        if (d.status !== 'published') await run.finishWith({ status: 'published' });
        return;
      }

      const version = d.desired_version;
      const state = d.desired_state as 'open' | 'closed' | 'cancelled';
      const payload = renderPostFor(ctx, post, item, d.channel as ChannelName, state);
      if (!d.platform_id) {
        const copy = await run.channel.publish({ idempotencyKey: key, payload, retry: run.retry, since: run.since }, run.signal);
        const now = new Date();
        const published: CopyValues = {
          status: 'published',
          platform_id: copy.platformId,
          platform_url: copy.url ?? null,
          published_version: version,
          published_state: state,
          published_at: now,
          attempts: action.attempts,
        };
        const result = { platformId: copy.platformId, url: copy.url ?? null, version, state };
        // The item's other posts carry the copy's link (a broadcast's watch link), written with the copy's outcome.
        if (links && itemId !== null && copy.url && state !== 'cancelled') await withItemLink(published, [{ label: links.onPublish, url: copy.url }], result);
        else await run.finishWith(published, result);
        if (d.last_error) await resolveNotifications(ctx.store.db, { type: 'delivery', id: d.id }, ['delivery_failed']);
        return;
      }
      await run.channel.update({ idempotencyKey: key, platformId: d.platform_id, payload, version, state }, run.signal);
      const updated: CopyValues = { status: 'published', published_version: version, published_state: state, attempts: action.attempts };
      if (state === 'cancelled' && unlinked.length > 0) await withItemLink(updated, unlinked, { platformId: d.platform_id, version, state });
      else await run.finishWith(updated, { platformId: d.platform_id, version, state });
      // Only a delivery that had failed can have a notice about it to clear.
      if (d.last_error) await resolveNotifications(ctx.store.db, { type: 'delivery', id: d.id }, ['delivery_failed']);
    },

    async failed(trx, action, reason) {
      // A copy that exists stays published (its update failed); one never made is failed.
      await trx
        .updateTable('deliveries')
        .set({
          status: sql`case when platform_id is null then 'failed' else 'published' end`,
          last_error: reason,
          next_attempt_at: null,
          attempts: action.attempts,
          updated_at: new Date(),
        })
        .where('id', '=', action.subject_id)
        .where('status', 'not in', ['cancelled', 'removed'])
        .execute();
    },

    async waiting(trx, action, wait: Wait) {
      const status = wait.kind === 'retrying' ? 'retrying' : 'waiting';
      await trx
        .updateTable('deliveries')
        .set({
          status: sql`case when platform_id is null then ${status} else status end`,
          last_error: wait.reason,
          next_attempt_at: wait.until,
          attempts: action.attempts,
          updated_at: new Date(),
        })
        .where('id', '=', action.subject_id)
        .where('status', 'not in', ['cancelled', 'removed', 'failed'])
        .execute();
    },

    async settled(action) {
      const postId = (action.request as { postId?: number }).postId;
      if (typeof postId === 'number') ctx.postSums.add(postId);
    },

    async onFailed(action, reason) {
      const postId = (action.request as { postId?: number }).postId;
      await raiseNotification(ctx.store.db, {
        recipient: 'role:staff',
        kind: 'delivery_failed',
        subject: { type: 'delivery', id: action.subject_id },
        message: `게시물 #${postId ?? '?'}을(를) ${action.channel}에 ${KIND_KO[action.kind] ?? action.kind}하지 못했습니다: ${reason} (\`ontact posts retry ${postId ?? ''}\`로 다시 보낼 수 있습니다)`,
      });
    },
  };
}
