/**
 * The gateway role with the real discord.js client against the emulator, the real intake,
 * PostgreSQL and Redis: slash commands registered once; /채용 answered from the store, paged;
 * /문의 → an inquiry → the counselor's answer as a DM (and, for a member whose DMs are closed,
 * the reason, then a public answer); a question in a post's thread linked to the post, its edit
 * and deletion followed; /알림 toggling a role; a dropped connection resumed with nothing lost
 * or doubled; the message-content intent missing, and the gateway carrying on without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord.js';
import type { AppContext } from '../../../src/app/context.js';
import { startGatewayRole, type GatewayRole } from '../../../src/app/gateway.js';
import type { ContentItemDraft } from '../../../src/content/types.js';
import { replyToInquiry } from '../../../src/inquiries/replies.js';
import { triageInquiry } from '../../../src/inquiries/triage-inquiry.js';
import { createLogger } from '../../../src/log.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { kstDate } from '../../../src/time/kst.js';
import { createPost, getPost } from '../../../src/outreach/posts.js';
import { startDiscordEmulator, type DiscordEmulator } from '../../emulators/discord.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { discordEnv, discordLocal, EMULATOR_NOW } from './helpers.js';

let discord: DiscordEmulator;
let ctx: AppContext;
let gateway: GatewayRole;
const cleanups: (() => Promise<void>)[] = [];

async function startGateway(c: AppContext): Promise<GatewayRole> {
  const role = startGatewayRole(c, createLogger('silent'), { fastReconnect: true, pollMs: 100 });
  cleanups.push(() => role.stop());
  await waitFor('the gateway to connect', () => role.state === 'active', 15_000, 20);
  return role;
}

async function context(emulator: DiscordEmulator): Promise<AppContext> {
  const t = testConfig({ env: discordEnv(emulator), local: discordLocal(emulator, [`forumChannelId: "${emulator.ids.forumChannel}"`]) });
  const opened = await openTestContext(t);
  cleanups.push(async () => {
    await opened.close();
    await t.cleanup();
  });
  return opened.ctx;
}

beforeAll(async () => {
  discord = await startDiscordEmulator({ now: EMULATOR_NOW });
  ctx = await context(discord);
  gateway = await startGateway(ctx);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await discord?.close();
});

const inquiryOf = (platformId: string) =>
  ctx.store.db
    .selectFrom('inquiries')
    .innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id')
    .select(['inquiries.id', 'inquiries.masked_text', 'inquiries.status', 'inquiries.is_public', 'inquiries.exposed_personal_data', 'inbound_events.thread_ref', 'inbound_events.in_reply_to_post_ref', 'inbound_events.edited_at', 'inbound_events.removed_at', 'inbound_events.author_id'])
    .where('inbound_events.channel', '=', 'discord')
    .where('inbound_events.platform_id', '=', platformId)
    .executeTakeFirst();

const answered = (interactionId: string) => waitFor(`an answer to interaction ${interactionId}`, () => discord.interactionResponses(interactionId).find((r) => r.status === 204 || r.status === 200), 10_000, 20);

const openJob = (n: number, place: string): ContentItemDraft => ({
  kind: 'job',
  sourceKey: `GW-JOB-${n}`,
  title: `생산직 사원 모집 ${n}`,
  summary: '주간 근무',
  link: `https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=GW-JOB-${n}`,
  organisation: `완주기업 ${n}`,
  place,
  region: '52111',
  pay: null,
  startsAt: null,
  endsAt: null,
  // 상시채용: open whatever day the test runs.
  deadlineAt: null,
  deadlineText: '채용시까지',
  publishedAt: null,
  extra: {},
});

describe('the gateway role', () => {
  it('registers the slash commands once, and says what it connected to', async () => {
    expect(discord.commands().map((c) => c.name).sort()).toEqual(['문의', '알림', '채용', '특강', '훈련'].sort());
    expect(discord.commandRegistrations).toHaveLength(1);
    // A second process (a restart) finds them unchanged.
    await gateway.stop();
    gateway = await startGateway(ctx);
    expect(discord.commandRegistrations).toHaveLength(1);
    expect(discord.connections().history.at(-1)).toMatchObject({ handshake: 'identify' });
  });

  it('answers /채용 from the store, ephemeral and paged', async () => {
    await ingestItems(ctx, 'gateway-test', [...[1, 2, 3, 4, 5, 6].map((n) => openJob(n, '전북 완주군 봉동읍')), openJob(7, '전북 완주군 삼례읍')], EMULATOR_NOW);
    const command = discord.slashCommand({ name: '채용', options: { 지역: '봉동' }, userId: discord.ids.users.citizen });
    const reply = await answered(command.id);
    expect(reply).toMatchObject({ type: 4, data: { flags: 64 } });
    const first = discord.interaction(command.id)!.original!;
    expect(first.embeds[0]!.title).toBe('채용정보 (봉동) 6건');
    expect(first.embeds[0]!.description).toContain('생산직 사원 모집');
    expect(first.embeds[0]!.description).not.toContain('삼례');
    expect(first.embeds[0]!.footer!.text).toMatch(/^1 \/ 2쪽/);
    const next = (first.components![0] as unknown as { components: { custom_id: string; label: string; disabled: boolean }[] }).components.find((b) => b.label === '다음 ▶')!;
    expect(next.disabled).toBe(false);
    const click = discord.buttonClick({ messageId: first.id, customId: next.custom_id, userId: discord.ids.users.citizen });
    expect(await answered(click.id)).toMatchObject({ type: 7 });
    const second = discord.message(first.id)!;
    expect(second.embeds[0]!.footer!.text).toMatch(/^2 \/ 2쪽/);
    expect(second.embeds[0]!.description!.match(/\*\*\d+\./g)).toEqual(['**6.']);
  });

  it('takes a /문의 form as an inquiry, stored before it says so, and DMs the counselor\'s answer', async () => {
    const command = discord.slashCommand({ name: '문의', userId: discord.ids.users.citizen2 });
    await waitFor('the form', () => discord.interaction(command.id)?.modal ?? undefined, 10_000, 20);
    const submit = discord.modalSubmit({ interactionId: command.id, values: { topic: '국민취업지원제도', text: '국민취업지원제도 신청 방법을 알고 싶어요. 연락처는 010-1234-5678이에요.' } });
    await answered(submit.id);
    const inquiry = await inquiryOf(`interaction/${submit.id}`);
    expect(inquiry).toMatchObject({ thread_ref: `modal:${discord.ids.textChannel}`, author_id: discord.ids.users.citizen2 });
    expect(inquiry!.masked_text).toContain('[국민취업지원제도]');
    expect(inquiry!.masked_text).toContain('010-****-5678');
    // Only the center reads a form: the phone number is masked but nothing is to be hidden.
    expect(inquiry).toMatchObject({ is_public: false, exposed_personal_data: false });
    expect(discord.interaction(submit.id)!.original).toMatchObject({ content: expect.stringContaining('접수되었어요'), flags: 64 });

    await triageInquiry(ctx, inquiry!.id);
    // A form's answer goes by DM, as the form promised, whatever its default visibility.
    const reply = await replyToInquiry(ctx, { inquiryId: inquiry!.id, as: 'kim.minji', text: '고용24에서 온라인으로 신청하실 수 있어요.' });
    expect(await runOpenAction(ctx, 'reply', reply.replyId)).toMatchObject({ outcome: 'done' });
    const dm = discord.dmChannelId(discord.ids.users.citizen2)!;
    expect(discord.messages(dm).map((m) => m.content.replace(/[\u2060\u200B\u200C]/g, ''))).toContain('고용24에서 온라인으로 신청하실 수 있어요.');
    const row = await ctx.store.db.selectFrom('inquiry_replies').select(['status', 'platform_id']).where('id', '=', reply.replyId).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.platform_id).toMatch(new RegExp(`^${dm}/\\d+$`));
  });

  it('records why a DM could not be sent (50007), and answers in public when the counselor resends it so', async () => {
    const command = discord.slashCommand({ name: '문의', userId: discord.ids.users.dmClosed });
    await waitFor('the form', () => discord.interaction(command.id)?.modal ?? undefined, 10_000, 20);
    const submit = discord.modalSubmit({ interactionId: command.id, values: { topic: '훈련', text: '내일배움카드로 들을 수 있는 과정이 있나요?' } });
    await answered(submit.id);
    const inquiry = (await inquiryOf(`interaction/${submit.id}`))!;
    await triageInquiry(ctx, inquiry.id);
    const privately = await replyToInquiry(ctx, { inquiryId: inquiry.id, as: 'kim.minji', text: '네, 있어요. 센터 홈페이지를 참고해 주세요.', visibility: 'private' });
    expect(await runOpenAction(ctx, 'reply', privately.replyId)).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('50007') });
    expect(await ctx.store.db.selectFrom('inquiry_replies').select(['status', 'error']).where('id', '=', privately.replyId).executeTakeFirstOrThrow()).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('--public'),
    });
    const publicly = await replyToInquiry(ctx, { inquiryId: inquiry.id, as: 'kim.minji', text: '네, 있어요. 센터 홈페이지를 참고해 주세요.', visibility: 'public' });
    expect(await runOpenAction(ctx, 'reply', publicly.replyId)).toMatchObject({ outcome: 'done' });
    const posted = discord.messages(discord.ids.textChannel)[0]!;
    expect(posted.content).toMatch(new RegExp(`^<@${discord.ids.users.dmClosed}> 네, 있어요`));
    expect(posted.mentions.map((u) => u.id)).toEqual([discord.ids.users.dmClosed]);
  });

  it('takes a question in a post\'s thread as an inquiry linked to the post, and follows its edit and deletion', async () => {
    await ingestItems(ctx, 'gateway-test', [{ ...openJob(20, '전북 완주군 용진읍'), title: '로컬푸드 직매장 판매원' }], EMULATOR_NOW);
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', 'GW-JOB-20').executeTakeFirstOrThrow();
    const post = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: 'now', by: 'staff:test' });
    const delivery = (await getPost(ctx, post.id)).deliveries[0]!;
    await runOpenAction(ctx, 'delivery', delivery.id);
    const platformId = (await getPost(ctx, post.id)).deliveries[0]!.platform_id!;
    const threadId = platformId.split('/')[0]!;

    const asked = discord.userMessage({ channelId: threadId, authorId: discord.ids.users.migrant, content: '외국인도 지원할 수 있나요?' });
    const stored = await waitFor('the thread question', () => inquiryOf(`${threadId}/${asked.id}`), 10_000, 20);
    expect(stored).toMatchObject({ thread_ref: `thread:${threadId}`, in_reply_to_post_ref: platformId, masked_text: '외국인도 지원할 수 있나요?', is_public: true });

    discord.userEditMessage(asked.id, '외국인(E-9)도 지원할 수 있나요?');
    await waitFor('the edit', async () => (await inquiryOf(`${threadId}/${asked.id}`))?.masked_text === '외국인(E-9)도 지원할 수 있나요?', 10_000, 20);
    discord.userDeleteMessage(asked.id);
    await waitFor('the deletion', async () => (await inquiryOf(`${threadId}/${asked.id}`))?.removed_at, 10_000, 20);

    // An answer in public goes into the thread as a reply to the question.
    const question = discord.userMessage({ channelId: threadId, authorId: discord.ids.users.citizen, content: '주말 근무도 있나요?' });
    const inquiry = await waitFor('the second question', () => inquiryOf(`${threadId}/${question.id}`), 10_000, 20);
    await triageInquiry(ctx, inquiry.id);
    const reply = await replyToInquiry(ctx, { inquiryId: inquiry.id, as: 'kim.minji', text: '주말 근무는 없어요.', visibility: 'public' });
    expect(await runOpenAction(ctx, 'reply', reply.replyId)).toMatchObject({ outcome: 'done' });
    const answer = discord.messages(threadId).find((m) => m.content.startsWith('주말 근무는 없어요.')) as APIMessage;
    expect(answer.message_reference?.message_id).toBe(question.id);

    // Written while no gateway ran: the next one reads the post's thread since the last one was alive.
    await gateway.stop();
    const unheard = discord.userMessage({ channelId: threadId, authorId: discord.ids.users.citizen2, content: '교대 근무인가요?' });
    gateway = await startGateway(ctx);
    await waitFor('the question written while no gateway ran', () => inquiryOf(`${threadId}/${unheard.id}`), 10_000, 20);
    expect(await inquiryOf(`${threadId}/${unheard.id}`)).toMatchObject({ in_reply_to_post_ref: platformId });
  });

  it('keeps a lecture\'s interested count with its post as members mark the event', async () => {
    await ingestItems(
      ctx,
      'gateway-test',
      [{ ...openJob(30, '완주군일자리지원센터 2층 교육장'), kind: 'lecture', title: '신중년 재취업 특강', startsAt: kstDate(2035, 3, 12, 14, 0), endsAt: kstDate(2035, 3, 12, 16, 0) }],
      EMULATOR_NOW,
    );
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', 'GW-JOB-30').executeTakeFirstOrThrow();
    const post = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: 'now', by: 'staff:test' });
    const deliveryId = (await getPost(ctx, post.id)).deliveries[0]!.id;
    await runOpenAction(ctx, 'delivery', deliveryId);
    const url = (await getPost(ctx, post.id)).deliveries[0]!.platform_url!;
    const event = discord.events().find((e) => e.description?.endsWith(url))!;
    expect(event.entity_metadata?.location).toBe('완주군일자리지원센터 2층 교육장');
    discord.eventUserAdd({ eventId: event.id, userId: discord.ids.users.citizen2 });
    discord.eventUserAdd({ eventId: event.id, userId: discord.ids.users.migrant });
    const interested = () => ctx.store.db.selectFrom('delivery_platform_data').select('data').where('delivery_id', '=', deliveryId).executeTakeFirst();
    await waitFor('two interested members', async () => ((await interested())?.data as { event?: { interested?: number } } | undefined)?.event?.interested === 2, 10_000, 20);
    expect((await interested())!.data).toMatchObject({ event: { id: event.id, status: 'scheduled' } });
  });

  it('lets a member switch an alert role on with /알림', async () => {
    const command = discord.slashCommand({ name: '알림', userId: discord.ids.users.citizen });
    await answered(command.id);
    const panel = discord.interaction(command.id)!.original!;
    const buttons = (panel.components![0] as unknown as { components: { custom_id: string; label: string }[] }).components;
    expect(buttons.map((b) => b.label)).toEqual(['채용 알림 꺼짐', '훈련 알림 꺼짐', '특강 알림 꺼짐']);
    const click = discord.buttonClick({ messageId: panel.id, customId: buttons[0]!.custom_id, userId: discord.ids.users.citizen });
    expect(await answered(click.id)).toMatchObject({ type: 7 });
    expect(discord.memberRoles(discord.ids.users.citizen)).toEqual([discord.ids.alertRoles.채용]);
    const updated = discord.message(panel.id)!;
    expect((updated.components![0] as unknown as { components: { label: string }[] }).components[0]!.label).toBe('채용 알림 켜짐');
  });

  it('resumes after the connection drops: what was sent meanwhile is stored once, nothing lost or doubled', async () => {
    const before = discord.connections();
    discord.dropConnections();
    const missed = discord.userDirectMessage({ authorId: discord.ids.users.citizen, content: '연결이 끊긴 동안 보낸 문의예요' });
    await waitFor('the resume', () => discord.connections().resumes > before.resumes, 15_000, 20);
    const after = discord.userDirectMessage({ authorId: discord.ids.users.citizen, content: '다시 연결된 뒤의 문의예요' });
    const dm = discord.dmChannelId(discord.ids.users.citizen)!;
    await waitFor('both messages', async () => (await inquiryOf(`${dm}/${missed.id}`)) && (await inquiryOf(`${dm}/${after.id}`)), 10_000, 20);
    expect(discord.dispatchLog.find((d) => d.t === 'MESSAGE_CREATE' && (d.d as { id: string }).id === missed.id)?.buffered).toBe(true);
    const rows = await ctx.store.db.selectFrom('inbound_events').select('platform_id').where('platform_id', 'in', [`${dm}/${missed.id}`, `${dm}/${after.id}`]).execute();
    expect(rows).toHaveLength(2);
    expect(await inquiryOf(`${dm}/${after.id}`)).toMatchObject({ is_public: false });
    expect(discord.connections().identifies).toBe(before.identifies);
  });
});

describe('without the message-content intent', () => {
  it('connects without asking for it, says so, and still takes in DMs', async () => {
    const closed = await startDiscordEmulator({ now: EMULATOR_NOW, grantMessageContent: false });
    cleanups.push(() => closed.close());
    const c = await context(closed);
    const lines: { msg: string }[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) } as never);
    const role = startGatewayRole(c, log, { fastReconnect: true, pollMs: 100 });
    cleanups.push(() => role.stop());
    await waitFor('the gateway to connect', () => role.state === 'active', 15_000, 20);
    expect(closed.connections().history[0]!.intents! & (1 << 15)).toBe(0);
    expect(lines.some((l) => /message-content intent is not granted/.test(l.msg))).toBe(true);
    expect(lines.some((l) => /gateway: connected to Discord as .* message content NOT granted/.test(l.msg))).toBe(true);
    const dm = closed.userDirectMessage({ authorId: closed.ids.users.citizen, content: 'DM으로 문의해요' });
    const channelId = closed.dmChannelId(closed.ids.users.citizen)!;
    await waitFor('the DM', () => c.store.db.selectFrom('inbound_events').select('id').where('platform_id', '=', `${channelId}/${dm.id}`).executeTakeFirst(), 10_000, 20);
  });
});
