/**
 * Posts on the Discord server through the real @discordjs/rest against the emulator, the real
 * outbound engine and PostgreSQL: an embed with a link button in the announcement channel
 * (crossposted, pinging only the kind's alert role), or a tagged forum thread; a lecture's
 * scheduled event; edits when the item changes; 마감 greys the post, drops its button and locks
 * its thread; 취소 deletes it and cancels the event; a retry adopts its earlier copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord.js';
import type { AppContext } from '../../../src/app/context.js';
import { invoke } from '../../../src/api/operation.js';
import { operation } from '../../../src/api/index.js';
import type { ContentItemDraft } from '../../../src/content/types.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { cancelPost, createPost, getPost } from '../../../src/outreach/posts.js';
import { runTick } from '../../../src/outreach/tick.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import { refreshInterest } from '../../../src/channels/discord/interest.js';
import { kstDate } from '../../../src/time/kst.js';
import { faults, startDiscordEmulator, type DiscordEmulator } from '../../emulators/discord.js';
import { openTestContext, testConfig } from '../../helpers/context.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { discordEnv, discordLocal, EMULATOR_NOW } from './helpers.js';

let discord: DiscordEmulator;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  discord = await startDiscordEmulator({ now: EMULATOR_NOW });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await discord?.close();
});

async function ontact(extra: string[] = []): Promise<AppContext> {
  const t = testConfig({ env: discordEnv(discord), local: discordLocal(discord, extra) });
  const opened = await openTestContext(t);
  cleanups.push(async () => {
    await opened.close();
    await t.cleanup();
  });
  return opened.ctx;
}

const job = (key: string, over: Partial<ContentItemDraft> = {}): ContentItemDraft => ({
  kind: 'job',
  sourceKey: key,
  title: '[봉동] 자동차부품 생산직 @everyone',
  summary: '청년 우대, 주 5일 근무. <@&1310000000000000302> 문의 환영',
  link: `https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=${key}`,
  organisation: '완주정밀(주)',
  place: '전북 완주군 봉동읍',
  // Outside the default posting rule's region: only the posts the tests make go out.
  region: '52111',
  pay: '월 250만 원',
  startsAt: null,
  endsAt: null,
  deadlineAt: kstDate(2035, 3, 20),
  deadlineText: null,
  publishedAt: null,
  extra: {},
  ...over,
});

const lecture = (key: string, over: Partial<ContentItemDraft> = {}): ContentItemDraft => ({
  ...job(key),
  kind: 'lecture',
  title: '청년 면접 특강',
  summary: '만 19~34세 청년을 위한 모의 면접과 이력서 첨삭',
  link: 'https://www.youtube.com/watch?v=wanju-live',
  organisation: '완주군일자리지원센터',
  place: '온라인 (유튜브 생중계)',
  pay: null,
  startsAt: kstDate(2035, 3, 10, 19, 0),
  endsAt: kstDate(2035, 3, 10, 21, 0),
  deadlineAt: kstDate(2035, 3, 10),
  ...over,
});

async function postItem(ctx: AppContext, draft: ContentItemDraft) {
  await ingestItems(ctx, 'discord-test', [draft], EMULATOR_NOW);
  const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', draft.sourceKey).executeTakeFirstOrThrow();
  const post = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: 'now', by: 'staff:test' });
  const delivery = (await getPost(ctx, post.id)).deliveries[0]!;
  expect(await runOpenAction(ctx, 'delivery', delivery.id)).toMatchObject({ outcome: 'done' });
  return { postId: post.id, itemId: item.id, deliveryId: delivery.id, delivery: (await getPost(ctx, post.id)).deliveries[0]! };
}

async function syncDelivery(ctx: AppContext, deliveryId: number) {
  return runOpenAction(ctx, 'delivery', deliveryId);
}

describe('posts in the announcement channel', () => {
  it('sends an embed with a link button, crossposts it, pings only the kind\'s alert role, and edits it as the item changes and closes', async () => {
    const ctx = await ontact();
    const draft = job('K-DC-0001');
    const { deliveryId, delivery, postId } = await postItem(ctx, draft);
    const [channelId, messageId] = delivery.platform_id!.split('/');
    expect(channelId).toBe(discord.ids.announcementChannel);
    expect(delivery.platform_url).toBe(`https://discord.com/channels/${discord.guildId}/${channelId}/${messageId}`);
    const message = discord.message(messageId!)!;
    expect(message.embeds[0]).toMatchObject({ title: expect.stringContaining('자동차부품 생산직'), url: draft.link, color: 0x2e7d32 });
    expect(message.embeds[0]!.footer!.text).toContain('063-290-0000');
    expect(message.components).toMatchObject([{ type: 1, components: [{ type: 2, style: 5, label: '공고 자세히 보기', url: draft.link }] }]);
    expect(message.components?.[0]).toMatchObject({ components: { length: 1 } });
    expect(message.content).toContain(`<@&${discord.ids.alertRoles.채용}>`);
    // Feed text cannot ping: only the configured role is named, and Discord resolved only it.
    expect(message.mention_roles).toEqual([discord.ids.alertRoles.채용]);
    expect(message.mention_everyone).toBe(false);
    const sent = discord.requestsTo({ route: 'POST /channels/:channel/messages' }).at(-1)!;
    expect(sent.body).toMatchObject({ allowed_mentions: { parse: [], roles: [discord.ids.alertRoles.채용] }, enforce_nonce: true, nonce: expect.any(String) });
    expect(discord.crossposts.map((c) => c.messageId)).toContain(messageId);

    await ingestItems(ctx, 'discord-test', [{ ...draft, pay: '월 280만 원' }], EMULATOR_NOW);
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    expect(discord.message(messageId!)!.embeds[0]!.fields?.find((f) => f.name === '급여')?.value).toBe('월 280만 원');
    expect(discord.message(messageId!)!.components).toHaveLength(1);

    await runTick(ctx, kstDate(2035, 3, 21));
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    const closed = discord.message(messageId!)!;
    expect(closed.embeds[0]).toMatchObject({ title: expect.stringMatching(/^\[마감\]/), color: 0x757575 });
    expect(closed.components).toEqual([]);
    expect(discord.messages(discord.ids.announcementChannel).filter((m) => m.embeds[0]?.title?.includes('자동차부품'))).toHaveLength(1);
    expect((await getPost(ctx, postId)).deliveries[0]).toMatchObject({ status: 'published', published_state: 'closed' });
  });

  it('adopts its earlier message when the answer to the first call was lost, even after the nonce is forgotten', async () => {
    const ctx = await ontact();
    discord.failAfterCommit({ route: 'POST /channels/:channel/messages' });
    await ingestItems(ctx, 'discord-test', [job('K-DC-0002')], EMULATOR_NOW);
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', 'K-DC-0002').executeTakeFirstOrThrow();
    const post = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: 'now', by: 'staff:test' });
    const deliveryId = (await getPost(ctx, post.id)).deliveries[0]!.id;
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'wait' });
    const made = discord.messages(discord.ids.announcementChannel).filter((m) => m.embeds[0]?.url?.endsWith('K-DC-0002'));
    expect(made).toHaveLength(1);
    // Beyond enforce_nonce's few minutes only the fingerprint can find it.
    discord.advance(10 * 60_000);
    await ctx.store.db.updateTable('actions').set({ next_attempt_at: null }).where('subject_type', '=', 'delivery').where('subject_id', '=', deliveryId).execute();
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    expect(discord.messages(discord.ids.announcementChannel).filter((m) => m.embeds[0]?.url?.endsWith('K-DC-0002'))).toHaveLength(1);
    expect((await getPost(ctx, post.id)).deliveries[0]!.platform_id).toBe(`${discord.ids.announcementChannel}/${made[0]!.id}`);
    expect(discord.crossposts.filter((c) => c.messageId === made[0]!.id)).toHaveLength(1);
  });
});

describe('forum mode and lecture events', () => {
  it('opens a tagged forum thread and a scheduled event, counts who is interested, then locks the thread at 마감 and deletes it at 취소', async () => {
    const ctx = await ontact([`forumChannelId: "${discord.ids.forumChannel}"`]);
    const draft = lecture('L-DC-0001');
    const { deliveryId, delivery, postId } = await postItem(ctx, draft);
    const threadId = delivery.platform_id!.split('/')[0]!;
    expect(delivery.platform_id).toBe(`${threadId}/${threadId}`);
    const thread = discord.threads({ parentId: discord.ids.forumChannel }).find((t) => t.id === threadId)!;
    expect(thread.name).toBe('청년 면접 특강');
    expect(thread.applied_tags).toEqual([discord.ids.tags['특강'], discord.ids.tags['청년']]);
    const starter = discord.messages(threadId).at(-1) as APIMessage;
    expect(starter.embeds[0]?.title).toBe('청년 면접 특강');
    expect(starter.components?.[0]).toMatchObject({ components: [{ style: 5, url: draft.link }] });

    const event = discord.events().find((e) => e.description?.endsWith(delivery.platform_url!))!;
    expect(event).toMatchObject({ name: '청년 면접 특강', entity_type: 3, status: 1, entity_metadata: { location: draft.link } });
    expect(new Date(event.scheduled_start_time).toISOString()).toBe(draft.startsAt!.toISOString());
    expect(new Date(event.scheduled_end_time!).toISOString()).toBe(draft.endsAt!.toISOString());

    discord.setEventInterest(event.id, 12);
    await refreshInterest(channelJobDeps(ctx, 'discord'));
    const shown = await invoke(ctx, { id: 0, login: 'test', name: 'test', role: 'admin' } as never, operation('posts.get'), { id: postId });
    expect((shown as { deliveries: { notes: string[]; platformData: unknown }[] }).deliveries[0]).toMatchObject({
      notes: [expect.stringContaining('관심 있음 12명')],
      platformData: { event: { id: event.id, interested: 12, status: 'scheduled' } },
    });

    // The lecture moves an hour later: the event follows.
    await ingestItems(ctx, 'discord-test', [{ ...draft, startsAt: kstDate(2035, 3, 10, 20, 0), endsAt: kstDate(2035, 3, 10, 22, 0) }], EMULATOR_NOW);
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    expect(new Date(discord.event(event.id)!.scheduled_start_time).toISOString()).toBe(kstDate(2035, 3, 10, 20, 0).toISOString());

    await runTick(ctx, kstDate(2035, 3, 11));
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    const locked = discord.channel(threadId) as { name: string; thread_metadata: { locked: boolean; archived: boolean } };
    expect(locked.thread_metadata).toMatchObject({ locked: true, archived: true });
    expect(locked.name).toBe('[마감] 청년 면접 특강');
    expect(discord.message(threadId)!.embeds[0]).toMatchObject({ title: '[마감] 청년 면접 특강', color: 0x757575 });
    expect(discord.message(threadId)!.components).toEqual([]);

    await cancelPost(ctx, postId, 'staff:test');
    expect(await syncDelivery(ctx, deliveryId)).toMatchObject({ outcome: 'done' });
    expect(discord.threads({ parentId: discord.ids.forumChannel }).some((t) => t.id === threadId)).toBe(false);
    expect(discord.event(event.id)?.status).toBe(4);
  });
});

describe('what Discord refusing means', () => {
  async function newPost(ctx: AppContext, key: string) {
    await ingestItems(ctx, 'discord-test', [job(key)], EMULATOR_NOW);
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', key).executeTakeFirstOrThrow();
    const post = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: 'now', by: 'staff:test' });
    return (await getPost(ctx, post.id)).deliveries[0]!.id;
  }

  it('waits out a 429 for the delay Discord names, without counting it as a failure', async () => {
    const ctx = await ontact();
    const deliveryId = await newPost(ctx, 'K-DC-0429');
    discord.failNext(faults.rateLimited({ retryAfter: 30 }), { route: 'POST /channels/:channel/messages' });
    const before = Date.now();
    const outcome = await syncDelivery(ctx, deliveryId);
    expect(outcome).toMatchObject({ outcome: 'wait', reason: expect.stringContaining('rate-limited') });
    expect((outcome as { until: Date }).until.getTime() - before).toBeGreaterThanOrEqual(30_000);
    const action = await ctx.store.db.selectFrom('actions').select(['attempts', 'status']).where('subject_id', '=', deliveryId).where('subject_type', '=', 'delivery').executeTakeFirstOrThrow();
    expect(action).toEqual({ attempts: 0, status: 'waiting' });
  });

  it('pauses the channel for re-authorisation on a 401, and fails at once naming the permission on a 403', async () => {
    const ctx = await ontact();
    const refused = await newPost(ctx, 'K-DC-0401');
    discord.failNext(faults.unauthorized(), { route: 'POST /channels/:channel/messages' });
    expect(await syncDelivery(ctx, refused)).toMatchObject({ outcome: 'wait' });
    expect(await ctx.pauses.check('discord')).toMatchObject({ status: 'needs_reauth', reason: expect.stringContaining('Discord refused the bot token (401)') });
    await ctx.pauses.resume('discord', 'staff:test');

    const forbidden = await newPost(ctx, 'K-DC-0403');
    discord.setChannelOverwrite(discord.ids.announcementChannel, { id: discord.ids.botRole, type: 0, deny: ['EMBED_LINKS', 'SEND_MESSAGES'] });
    try {
      const outcome = await syncDelivery(ctx, forbidden);
      expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/Missing Permissions.*lacks Send Messages, Embed Links in channel \d+/) });
    } finally {
      discord.setChannelOverwrite(discord.ids.announcementChannel, { id: discord.ids.botRole, type: 0, allow: ['SEND_MESSAGES'] });
    }
    expect((await getPost(ctx, (await ctx.store.db.selectFrom('deliveries').select('post_id').where('id', '=', forbidden).executeTakeFirstOrThrow()).post_id)).deliveries[0]).toMatchObject({ status: 'failed' });
  });
});
