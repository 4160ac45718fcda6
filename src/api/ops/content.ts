import { z } from 'zod';
import { previewText } from '../../render/preview.js';
import { ingestItems } from '../../outreach/items.js';
import { findSource, pollSource, sourceEnv } from '../../outreach/poll-source.js';
import { publishNow } from '../../outreach/posts.js';
import { sourceReadiness } from '../../sources/config.js';
import { importSourceBytes } from '../../sources/source.js';
import type { RenderedPayload } from '../../render/render.js';
import { actorName } from '../../users/users.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { flag, id, json, limit, nullableTime, time } from '../schemas.js';

const KINDS = ['job', 'training', 'lecture', 'notice'] as const;
const ITEM_STATES = ['open', 'closed', 'cancelled'] as const;

const itemSummary = z.object({
  id: z.number(),
  source: z.string(),
  kind: z.enum(KINDS),
  title: z.string(),
  state: z.enum(ITEM_STATES),
  organisation: z.string().nullable(),
  region: z.string().nullable(),
  deadlineAt: nullableTime,
  deadlineText: z.string().nullable(),
  version: z.number(),
  firstSeenAt: time,
  updatedAt: time,
  posts: z.number(),
});

const pollOutcome = z.object({
  source: z.string(),
  status: z.enum(['ok', 'not-modified', 'not-configured', 'backing-off', 'failed']),
  created: z.number().optional(),
  changed: z.number().optional(),
  unchanged: z.number().optional(),
  postsPlanned: z.number().optional(),
  skipped: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  flood: z.object({ newItems: z.number(), limit: z.number(), held: z.number() }).nullable().optional(),
  until: nullableTime.optional(),
  reason: z.string().optional(),
  failures: z.number().optional(),
  flagged: z.boolean().optional(),
});
/** What a poll of one source did, as the console and the CLI receive it. */
export type PollOutcome = z.output<typeof pollOutcome>;

const outboxRow = z.object({ id: z.number(), channel: z.string(), operation: z.string(), idempotencyKey: z.string(), target: z.string().nullable(), createdAt: time });

export const contentOperations = [
  defineOperation({
    name: 'items.list',
    method: 'GET',
    path: '/items',
    summary: 'List stored content items (job listings, courses, lectures, notices), newest first',
    roles: ['staff'],
    input: z.object({ state: z.enum(ITEM_STATES).optional(), kind: z.enum(KINDS).optional(), source: z.string().optional(), limit: limit() }),
    output: z.array(itemSummary),
    async run(ctx, _actor, input) {
      let query = ctx.store.db
        .selectFrom('content_items')
        .selectAll('content_items')
        .select((eb) => eb.selectFrom('posts').select(eb.fn.countAll<number>().as('n')).whereRef('posts.item_id', '=', 'content_items.id').as('posts'))
        .orderBy('content_items.id', 'desc')
        .limit(input.limit);
      if (input.state) query = query.where('state', '=', input.state);
      if (input.kind) query = query.where('kind', '=', input.kind);
      if (input.source) query = query.where('source', '=', input.source);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        source: r.source,
        kind: r.kind,
        title: r.title,
        state: r.state,
        organisation: r.organisation,
        region: r.region,
        deadlineAt: r.deadline_at?.toISOString() ?? null,
        deadlineText: r.deadline_text,
        version: r.version,
        firstSeenAt: r.first_seen_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        posts: Number(r.posts ?? 0),
      }));
    },
  }),
  defineOperation({
    name: 'items.get',
    method: 'GET',
    path: '/items/:id',
    summary: 'Show one stored item with its fields and its posts',
    roles: ['staff'],
    input: z.object({ id }),
    output: itemSummary.extend({
      sourceKey: z.string(),
      summary: z.string(),
      link: z.string().nullable(),
      place: z.string().nullable(),
      pay: z.string().nullable(),
      startsAt: nullableTime,
      endsAt: nullableTime,
      extra: z.record(z.string(), z.string()),
      closedAt: nullableTime,
      postIds: z.array(z.number()),
    }),
    async run(ctx, _actor, input) {
      const r = await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!r) throw new AppError('not_found', `item ${input.id} does not exist`);
      const posts = await ctx.store.db.selectFrom('posts').select('id').where('item_id', '=', r.id).orderBy('id').execute();
      return {
        id: r.id,
        source: r.source,
        sourceKey: r.source_key,
        kind: r.kind,
        title: r.title,
        state: r.state,
        organisation: r.organisation,
        region: r.region,
        deadlineAt: r.deadline_at?.toISOString() ?? null,
        deadlineText: r.deadline_text,
        version: r.version,
        firstSeenAt: r.first_seen_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        posts: posts.length,
        summary: r.summary,
        link: r.link,
        place: r.place,
        pay: r.pay,
        startsAt: r.starts_at?.toISOString() ?? null,
        endsAt: r.ends_at?.toISOString() ?? null,
        extra: r.extra,
        closedAt: r.closed_at?.toISOString() ?? null,
        postIds: posts.map((p) => p.id),
      };
    },
  }),
  defineOperation({
    name: 'sources.list',
    method: 'GET',
    path: '/sources',
    summary: 'Each configured source with its last poll, last error and failures',
    roles: ['staff'],
    input: z.object({}),
    output: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        everyMinutes: z.number(),
        status: z.string(),
        lastPolledAt: nullableTime,
        lastSuccessAt: nullableTime,
        nextPollAt: nullableTime,
        lastError: z.string().nullable(),
        failures: z.number(),
        flaggedAt: nullableTime,
      }),
    ),
    async run(ctx) {
      const states = new Map((await ctx.store.db.selectFrom('source_states').selectAll().execute()).map((s) => [s.name, s]));
      return ctx.config.sources.map((source) => {
        const state = states.get(source.name);
        const readiness = sourceReadiness(source, sourceEnv(ctx));
        const status = !readiness.configured ? readiness.reason : state?.flagged_at ? 'flagged' : state?.consecutive_failures ? `failing (${state.consecutive_failures})` : state?.last_success_at ? 'ok' : 'not polled yet';
        return {
          name: source.name,
          type: source.type,
          everyMinutes: source.intervalMinutes,
          status,
          lastPolledAt: state?.last_polled_at?.toISOString() ?? null,
          lastSuccessAt: state?.last_success_at?.toISOString() ?? null,
          nextPollAt: state?.next_poll_at?.toISOString() ?? null,
          lastError: state?.last_error ?? null,
          failures: state?.consecutive_failures ?? 0,
          flaggedAt: state?.flagged_at?.toISOString() ?? null,
        };
      });
    },
  }),
  defineOperation({
    name: 'sources.poll',
    method: 'POST',
    path: '/sources/poll',
    summary: 'Poll one source, or every configured source, now',
    roles: ['staff'],
    input: z.object({ name: z.string().optional() }),
    output: z.array(pollOutcome),
    async run(ctx, _actor, input) {
      if (ctx.config.sources.length === 0) throw new AppError('invalid', 'no sources are configured (see config/default.yaml, sources)');
      const names = input.name ? [findSourceOrRefuse(ctx, input.name)] : ctx.config.sources.map((s) => s.name);
      const outcomes = [];
      for (const source of names) {
        const outcome = await pollSource(ctx, source, { force: true });
        switch (outcome.status) {
          case 'ok':
            outcomes.push({ source, status: outcome.status, created: outcome.summary.created, changed: outcome.summary.changed, unchanged: outcome.summary.unchanged, postsPlanned: outcome.summary.postsPlanned, skipped: outcome.itemErrors, notes: outcome.notes, flood: outcome.flood });
            break;
          case 'backing-off':
            outcomes.push({ source, status: outcome.status, until: outcome.until.toISOString() });
            break;
          case 'not-configured':
            outcomes.push({ source, status: outcome.status, reason: outcome.reason });
            break;
          case 'failed':
            outcomes.push({ source, status: outcome.status, reason: outcome.error, failures: outcome.failures, flagged: outcome.flagged });
            break;
          case 'not-modified':
            outcomes.push({ source, status: outcome.status });
            break;
        }
      }
      return outcomes;
    },
    audit: (input, output) => ({ subjectType: 'source', subjectId: input.name ?? 'all', detail: { outcomes: output.map((o) => ({ source: o.source, status: o.status })) } }),
  }),
  defineOperation({
    name: 'sources.import',
    method: 'POST',
    path: '/sources/import',
    summary: 'Ingest a feed or 고용24 response file, as if a source had fetched it',
    roles: ['staff'],
    input: z.object({
      fileName: z.string().min(1).max(255),
      /** The file's bytes, base64. */
      content: z.base64(),
      type: z.enum(['rss', 'work24-jobs', 'work24-training']).optional(),
      kind: z.enum(KINDS).optional(),
      region: z.string().regex(/^\d{2,5}$/).optional(),
      now: flag,
    }),
    output: z.object({
      type: z.string(),
      items: z.number(),
      created: z.number(),
      changed: z.number(),
      unchanged: z.number(),
      postsPlanned: z.number(),
      publishedNow: z.number(),
      skipped: z.array(z.string()),
      notes: z.array(z.string()),
    }),
    async run(ctx, actor, input) {
      const result = await importSourceBytes(input.fileName, Buffer.from(input.content, 'base64'), input.type, {
        ...(input.kind ? { kind: input.kind } : {}),
        ...(input.region ? { region: input.region } : {}),
      });
      const summary = await ingestItems(ctx, `file:${input.fileName}`, result.items);
      const publishedNow = input.now ? await publishNow(ctx, summary.plannedPostIds, actorName(actor)) : 0;
      return {
        type: result.type,
        items: result.items.length,
        created: summary.created,
        changed: summary.changed,
        unchanged: summary.unchanged,
        postsPlanned: summary.postsPlanned,
        publishedNow,
        skipped: result.errors,
        notes: result.notes,
      };
    },
    audit: (input, output) => ({ subjectType: 'source', subjectId: `file:${input.fileName}`, detail: { items: output.items, created: output.created, publishedNow: output.publishedNow } }),
  }),
  defineOperation({
    name: 'outbox.list',
    method: 'GET',
    path: '/outbox',
    summary: 'What channels running dry would have sent, newest first',
    roles: ['staff'],
    input: z.object({ channel: z.string().optional(), operation: z.enum(['publish', 'update', 'remove', 'reply', 'hide']).optional(), limit: limit() }),
    output: z.array(outboxRow),
    async run(ctx, _actor, input) {
      let query = ctx.store.db.selectFrom('outbox').select(['id', 'channel', 'operation', 'idempotency_key', 'target', 'created_at']).orderBy('id', 'desc').limit(input.limit);
      if (input.channel) query = query.where('channel', '=', input.channel);
      if (input.operation) query = query.where('operation', '=', input.operation);
      const rows = await query.execute();
      return rows.map((r) => ({ id: r.id, channel: r.channel, operation: r.operation, idempotencyKey: r.idempotency_key, target: r.target, createdAt: r.created_at.toISOString() }));
    },
  }),
  defineOperation({
    name: 'outbox.get',
    method: 'GET',
    path: '/outbox/:id',
    summary: 'One dry-run record: its payload, and how it would have looked',
    roles: ['staff'],
    input: z.object({ id }),
    output: outboxRow.extend({ payload: json, preview: z.string().nullable() }),
    async run(ctx, _actor, input) {
      const r = await ctx.store.db.selectFrom('outbox').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!r) throw new AppError('not_found', `outbox record ${input.id} does not exist`);
      const payload = r.payload as unknown as RenderedPayload;
      const renderable = (r.operation === 'publish' || r.operation === 'update') && typeof (payload as { channel?: unknown }).channel === 'string';
      return {
        id: r.id,
        channel: r.channel,
        operation: r.operation,
        idempotencyKey: r.idempotency_key,
        target: r.target,
        createdAt: r.created_at.toISOString(),
        payload: r.payload as z.input<typeof json>,
        preview: renderable ? previewText(payload) : null,
      };
    },
  }),
];

function findSourceOrRefuse(ctx: Parameters<typeof findSource>[0], name: string): string {
  try {
    return findSource(ctx, name).name;
  } catch (error) {
    throw new AppError('invalid', (error as Error).message);
  }
}

