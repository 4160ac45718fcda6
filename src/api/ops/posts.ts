import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { moduleOf } from '../../channels/registry.js';
import { isChannelName } from '../../channels/settings.js';
import { CHANNEL_NAMES, type ChannelName } from '../../config/schema.js';
import { itemRenderInput, loadPostForRender, renderPostFor } from '../../outreach/post-render.js';
import { approvePost, cancelPost, createPost, getPost, listPosts, PostActionError, reschedulePost, retryPost, type PostRow, type When } from '../../outreach/posts.js';
import { matchPostingRule } from '../../outreach/rules.js';
import { previewText } from '../../render/preview.js';
import type { RenderedPayload } from '../../render/render.js';
import { actorName } from '../../users/users.js';
import { defineOperation } from '../operation.js';
import { flag, id, instant, json, limit, nullableTime, time } from '../schemas.js';

const POST_STATUSES = ['draft', 'scheduled', 'publishing', 'published', 'partly_failed', 'failed', 'cancelled'] as const;
const channelName = z.enum(CHANNEL_NAMES as unknown as [ChannelName, ...ChannelName[]]);

const postSummary = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string().nullable(),
  status: z.enum(POST_STATUSES),
  state: z.enum(['open', 'closed', 'cancelled']),
  channels: z.array(z.string()),
  scheduledAt: nullableTime,
  itemId: z.number().nullable(),
  rule: z.string().nullable(),
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: time,
  approvedBy: z.string().nullable(),
  approvedAt: nullableTime,
});

function summary(post: PostRow, itemTitle: string | null = null): z.input<typeof postSummary> {
  return {
    id: post.id,
    kind: post.kind,
    title: post.title ?? itemTitle ?? (post.body ? post.body.split('\n')[0]!.slice(0, 80) : null),
    status: post.status,
    state: post.state,
    channels: post.channels,
    scheduledAt: post.scheduled_at?.toISOString() ?? null,
    itemId: post.item_id,
    rule: post.rule,
    note: post.note,
    createdBy: post.created_by,
    createdAt: post.created_at.toISOString(),
    approvedBy: post.approved_by,
    approvedAt: post.approved_at?.toISOString() ?? null,
  };
}

const delivery = z.object({
  id: z.number(),
  channel: z.string(),
  status: z.string(),
  dryRun: z.boolean().nullable(),
  platformId: z.string().nullable(),
  url: z.string().nullable(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  nextAttemptAt: nullableTime,
  publishedAt: nullableTime,
  publishedVersion: z.number().nullable(),
  publishedState: z.string().nullable(),
  /** What the platform reported back about the copy (Discord: the lecture's event and who is interested). */
  platformData: z.record(z.string(), z.unknown()).nullable(),
  /** The same in words, from the channel's module ("서버 이벤트 …: 관심 있음 12명"). */
  notes: z.array(z.string()),
});

const historyEntry = z.object({
  channel: z.string(),
  kind: z.string(),
  status: z.string(),
  attempts: z.number(),
  requestedBy: z.string(),
  requestedAt: time,
  finishedAt: nullableTime,
  error: z.string().nullable(),
  version: z.number().nullable(),
  state: z.string().nullable(),
});

const postDetail = postSummary.extend({
  body: z.string().nullable(),
  link: z.string().nullable(),
  version: z.number(),
  deliveries: z.array(delivery),
  history: z.array(historyEntry),
  audit: z.array(z.object({ at: time, actor: z.string(), action: z.string() })),
});

const preview = z.array(z.object({ channel: z.string(), text: z.string(), payload: json }));

function when(input: { at?: Date | undefined; now?: boolean | undefined }): When {
  if (input.at && input.now) throw new PostActionError('give a time or "now", not both');
  return input.now ? 'now' : input.at ? { at: input.at } : 'next-slot';
}

async function detail(ctx: AppContext, postId: number): Promise<z.input<typeof postDetail>> {
  const { post, deliveries, itemTitle } = await getPost(ctx, postId);
  const actions = deliveries.length
    ? await ctx.store.db.selectFrom('actions').selectAll().where('subject_type', '=', 'delivery').where('subject_id', 'in', deliveries.map((d) => d.id)).orderBy('id').execute()
    : [];
  const reported = deliveries.length
    ? await ctx.store.db.selectFrom('delivery_platform_data').select(['delivery_id', 'data']).where('delivery_id', 'in', deliveries.map((d) => d.id)).execute()
    : [];
  const platformData = new Map(reported.map((r) => [r.delivery_id, r.data]));
  const audit = await ctx.store.db.selectFrom('audit_log').select(['at', 'actor', 'action']).where('subject_type', '=', 'post').where('subject_id', '=', String(postId)).orderBy('at').orderBy('id').execute();
  return {
    ...summary(post, itemTitle),
    body: post.body,
    link: post.link,
    version: post.version,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      channel: d.channel,
      status: d.status,
      dryRun: d.dry_run,
      platformId: d.platform_id,
      url: d.platform_url,
      attempts: d.attempts,
      lastError: d.last_error,
      nextAttemptAt: d.next_attempt_at?.toISOString() ?? null,
      publishedAt: d.published_at?.toISOString() ?? null,
      publishedVersion: d.published_version,
      publishedState: d.published_state,
      platformData: platformData.get(d.id) ?? null,
      notes: notesOf(d.channel, platformData.get(d.id)),
    })),
    history: actions.map((a) => {
      const request = a.request as { version?: number; state?: string };
      return {
        channel: a.channel,
        kind: a.kind,
        status: a.status,
        attempts: a.attempts,
        requestedBy: a.created_by,
        requestedAt: a.created_at.toISOString(),
        finishedAt: a.finished_at?.toISOString() ?? null,
        error: a.last_error,
        version: typeof request.version === 'number' ? request.version : null,
        state: typeof request.state === 'string' ? request.state : null,
      };
    }),
    audit: audit.map((a) => ({ at: a.at.toISOString(), actor: a.actor, action: a.action })),
  };
}

function notesOf(channel: string, data: Record<string, unknown> | undefined): string[] {
  if (!data || !isChannelName(channel)) return [];
  const module = moduleOf(channel) as { platformNotes?: (data: Record<string, unknown>) => string[] };
  return module.platformNotes?.(data) ?? [];
}

function previews(channels: readonly ChannelName[], render: (channel: ChannelName) => RenderedPayload) {
  return channels.map((channel) => {
    const payload = render(channel);
    return { channel, text: previewText(payload), payload: payload as unknown as z.input<typeof json> };
  });
}

export const postOperations = [
  defineOperation({
    name: 'posts.list',
    method: 'GET',
    path: '/posts',
    summary: 'List posts, newest first',
    roles: ['staff'],
    input: z.object({ status: z.enum(POST_STATUSES).optional(), limit: limit() }),
    output: z.array(postSummary),
    async run(ctx, _actor, input) {
      const rows = await listPosts(ctx, { ...(input.status ? { status: input.status } : {}), limit: input.limit });
      return rows.map((row) => summary(row, row.itemTitle));
    },
  }),
  defineOperation({
    name: 'posts.get',
    method: 'GET',
    path: '/posts/:id',
    summary: 'Show a post: its times, every channel copy with its link and state, and its history',
    roles: ['staff'],
    input: z.object({ id }),
    output: postDetail,
    run: (ctx, _actor, input) => detail(ctx, input.id),
  }),
  defineOperation({
    name: 'posts.create',
    method: 'POST',
    path: '/posts',
    summary: 'Create a post of free text or of a stored item',
    roles: ['staff'],
    input: z.object({
      itemId: id.optional(),
      text: z.string().max(20_000).optional(),
      title: z.string().max(300).optional(),
      link: z.string().max(2000).optional(),
      channels: z.array(z.string()).min(1),
      at: instant.optional(),
      now: flag,
      draft: flag,
      /** Keep a night, weekend or holiday time. */
      force: flag,
      /** Post an item to a channel it already went to. */
      again: flag,
    }),
    output: postSummary,
    async run(ctx, actor, input) {
      const post = await createPost(ctx, {
        force: input.force ?? false,
        again: input.again ?? false,
        ...(input.itemId !== undefined ? { itemId: input.itemId } : {}),
        ...(input.text !== undefined ? { text: input.text } : {}),
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.link !== undefined ? { link: input.link } : {}),
        channels: input.channels,
        when: when(input),
        draft: input.draft ?? false,
        by: actorName(actor),
      });
      return summary(post);
    },
  }),
  defineOperation({
    name: 'posts.approve',
    method: 'POST',
    path: '/posts/:id/approve',
    summary: 'Approve a draft: it goes out at the next slot, at a time, or now',
    roles: ['staff'],
    input: z.object({ id, at: instant.optional(), now: flag, force: flag }),
    output: postSummary,
    run: async (ctx, actor, input) => summary(await approvePost(ctx, input.id, actorName(actor), when(input), { force: input.force ?? false })),
  }),
  defineOperation({
    name: 'posts.reschedule',
    method: 'POST',
    path: '/posts/:id/reschedule',
    summary: 'Move a draft or scheduled post to another time',
    roles: ['staff'],
    input: z.object({ id, at: instant, force: flag }),
    output: postSummary,
    run: async (ctx, actor, input) => summary(await reschedulePost(ctx, input.id, actorName(actor), input.at, { force: input.force ?? false })),
  }),
  defineOperation({
    name: 'posts.cancel',
    method: 'POST',
    path: '/posts/:id/cancel',
    summary: 'Cancel a post: its published copies show 취소, or are removed',
    roles: ['staff'],
    input: z.object({ id, remove: flag }),
    output: postSummary,
    run: async (ctx, actor, input) => summary(await cancelPost(ctx, input.id, actorName(actor), { remove: input.remove ?? false })),
  }),
  defineOperation({
    name: 'posts.retry',
    method: 'POST',
    path: '/posts/:id/retry',
    summary: "Send a post's failed deliveries again",
    roles: ['staff'],
    input: z.object({ id }),
    output: postSummary,
    run: async (ctx, actor, input) => summary(await retryPost(ctx, input.id, actorName(actor))),
  }),
  defineOperation({
    name: 'posts.preview',
    method: 'GET',
    path: '/posts/:id/preview',
    summary: "Preview a post on its own channels as people will see it",
    roles: ['staff'],
    input: z.object({ id, channel: channelName.optional() }),
    output: preview,
    async run(ctx, _actor, input) {
      const { post, item } = await loadPostForRender(ctx, input.id);
      const own = CHANNEL_NAMES.filter((c) => post.channels.includes(c));
      if (input.channel && !own.includes(input.channel)) {
        throw new PostActionError(`post ${input.id} does not go to ${input.channel}; it goes to ${own.join(', ') || 'no channel'}`);
      }
      return previews(input.channel ? [input.channel] : own, (channel) => renderPostFor(ctx, post, item, channel, post.state));
    },
  }),
  defineOperation({
    name: 'items.preview',
    method: 'GET',
    path: '/items/:id/preview',
    summary: "Preview a stored item on the channels its posting rule would use",
    roles: ['staff'],
    input: z.object({ id, channel: channelName.optional() }),
    output: z.object({ rule: z.string().nullable(), previews: preview }),
    async run(ctx, _actor, input) {
      const item = await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!item) throw new PostActionError(`item ${input.id} does not exist`, 'not_found');
      const rule = matchPostingRule(ctx.config.posting, { kind: item.kind, source: item.source, region: item.region });
      const channels = input.channel ? [input.channel] : rule ? rule.channels : CHANNEL_NAMES;
      const renderInput = itemRenderInput(ctx, item, item.state);
      return { rule: rule?.name ?? null, previews: previews(channels, (channel) => ctx.renderer.renderPost(renderInput, channel)) };
    },
  }),
];
