/**
 * The Discord emulator, proved with the real discord.js: `REST` (@discordjs/rest) for the HTTP
 * API and `Client` (@discordjs/ws underneath) for the gateway, over 127.0.0.1.
 */
import { once } from 'node:events';
import zlib from 'node:zlib';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Partials,
  RateLimitError,
  REST,
  RESTEvents,
  Routes,
  TextInputStyle,
  type APIDMChannel,
  type APIGuildScheduledEvent,
  type APIMessage,
  type APIThreadChannel,
  type Interaction,
  type Message,
  type RESTGetAPIGatewayBotResult,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rejectionOf } from '../helpers/rejection.js';
import { faults, startDiscordEmulator, type DiscordEmulator } from './discord.js';

const DAY = 86_400_000;

/** Resolves once `check` holds; the deadline only bounds a failing test. */
async function until(check: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const listing = () => ({
  content: '새 채용 공고가 올라왔습니다.',
  embeds: [
    new EmbedBuilder()
      .setTitle('[채용] 완주군 로컬푸드 직매장 판매원 모집')
      .setDescription('근무지: 완주군 용진읍\n근무시간: 09:00~18:00 (주 5일)')
      .setURL('https://www.work24.go.kr/wk/a/b/1200/retriveDtlEmpSrchList.do?wantedAuthNo=K151612512170001')
      .addFields({ name: '마감', value: '2026-12-19까지', inline: true }, { name: '문의', value: '063-290-0000', inline: true })
      .setFooter({ text: '완주군일자리지원센터' })
      .toJSON(),
  ],
  components: [
    new ActionRowBuilder<ButtonBuilder>()
      .addComponents(new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('공고 자세히 보기').setURL('https://www.work24.go.kr/wk/a/b/1200/retriveDtlEmpSrchList.do'))
      .toJSON(),
  ],
  allowed_mentions: { parse: [] },
});

describe('REST, with @discordjs/rest', () => {
  let discord: DiscordEmulator;
  let rest: REST;

  beforeEach(async () => {
    discord = await startDiscordEmulator();
    // @discordjs/rest builds `${api}/v${version}${route}`: the emulator's apiUrl ends in /api.
    rest = new REST({ api: discord.apiUrl, version: '10' }).setToken(discord.token);
  });

  afterEach(async () => {
    await discord.close();
  });

  it('answers GET /gateway/bot with its WebSocket URL, and 401 in Discord\'s shape without a token', async () => {
    const info = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    expect(info).toMatchObject({ url: discord.gatewayUrl, shards: 1, session_start_limit: { total: 1000, max_concurrency: 1 } });
    const [recorded] = discord.requestsTo({ route: 'GET /gateway/bot' });
    expect(recorded).toMatchObject({ method: 'GET', path: '/gateway/bot', version: 10, status: 200 });
    expect(recorded?.headers.authorization).toBe('Bot [redacted]');

    const anonymous = await fetch(`${discord.apiUrl}/v10/users/@me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it('creates a message with an embed and a link button, and says the bucket in the headers', async () => {
    const created = (await rest.post(Routes.channelMessages(discord.ids.announcementChannel), { body: listing() })) as APIMessage;
    const [stored] = discord.messages(discord.ids.announcementChannel);
    expect(stored?.id).toBe(created.id);
    expect(stored?.author.id).toBe(discord.botUserId);
    expect(stored?.embeds[0]).toMatchObject({ type: 'rich', title: '[채용] 완주군 로컬푸드 직매장 판매원 모집', fields: [{ name: '마감' }, { name: '문의' }] });
    expect(stored?.components?.[0]).toMatchObject({ type: 1, components: [{ type: 2, style: 5, label: '공고 자세히 보기' }] });

    const res = await fetch(`${discord.apiUrl}/v10/channels/${discord.ids.announcementChannel}/messages`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
  });

  it('returns the original message for a repeated nonce with enforce_nonce, also after a crash between Discord acting and the client hearing it', async () => {
    const channel = Routes.channelMessages(discord.ids.announcementChannel);
    const body = { ...listing(), nonce: 'delivery-42-discord', enforce_nonce: true };
    const first = (await rest.post(channel, { body })) as APIMessage;
    const second = (await rest.post(channel, { body })) as APIMessage;
    expect(second.id).toBe(first.id);
    expect(first.nonce).toBe('delivery-42-discord');
    expect(discord.messages(discord.ids.announcementChannel)).toHaveLength(1);

    discord.failAfterCommit({ route: 'POST /channels/:channel/messages' });
    const crashed = { content: '훈련 과정 안내', nonce: 'delivery-43-discord', enforce_nonce: true };
    // The connection drops after the message exists; @discordjs/rest does not retry that itself.
    await expect(rest.post(channel, { body: crashed })).rejects.toThrow();
    const retried = (await rest.post(channel, { body: crashed })) as APIMessage;
    const all = discord.messages(discord.ids.announcementChannel);
    expect(all).toHaveLength(2);
    expect(all[0]?.id).toBe(retried.id);
  });

  it('refuses embeds over Discord\'s limits with 50035 and the errors tree', async () => {
    const channel = Routes.channelMessages(discord.ids.textChannel);
    const long = await rejectionOf(rest.post(channel, { body: { embeds: [{ title: '가'.repeat(257) }] } }), DiscordAPIError);
    expect(long.status).toBe(400);
    expect(long.code).toBe(50035);
    expect(long.rawError).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { embeds: { 0: { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] } } } },
    });
    expect(long.message).toContain('embeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length.');

    // 256 code points is within the limit, however many UTF-16 units the text takes.
    await rest.post(channel, { body: { embeds: [{ title: '𝒜'.repeat(256) }] } });

    const total = await rejectionOf(rest.post(channel, { body: { embeds: [0, 1].map((i) => ({ title: `공고 ${i}`, description: '가'.repeat(3500) })) } }), DiscordAPIError);
    expect(total.rawError).toMatchObject({ errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } } });
    const fields = await rejectionOf(rest.post(channel, { body: { embeds: [{ fields: Array.from({ length: 26 }, (_, i) => ({ name: `${i}`, value: 'x' })) }] } }), DiscordAPIError);
    expect(fields.rawError).toMatchObject({ errors: { embeds: { 0: { fields: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } });
    const empty = await rejectionOf(rest.post(channel, { body: { content: '' } }), DiscordAPIError);
    expect(empty.code).toBe(50006);
    expect(discord.messages(discord.ids.textChannel)).toHaveLength(1);
  });

  it('has a 429 waited out by @discordjs/rest, or surfaced as RateLimitError when the client asks for that', async () => {
    const route = 'POST /channels/:channel/messages';
    const debug: string[] = [];
    rest.on(RESTEvents.Debug, (line) => debug.push(line));
    discord.failNext(faults.rateLimited({ retryAfter: 0.2 }), { route });
    const sent = (await rest.post(Routes.channelMessages(discord.ids.textChannel), { body: { content: '재시도' } })) as APIMessage;
    expect(discord.requestsTo({ route }).map((r) => r.status)).toEqual([429, 200]);
    expect(discord.messages(discord.ids.textChannel).map((m) => m.id)).toEqual([sent.id]);
    expect(debug.some((line) => line.includes('Encountered unexpected 429 rate limit'))).toBe(true);

    const strict = new REST({ api: discord.apiUrl, rejectOnRateLimit: ['/channels'] }).setToken(discord.token);
    discord.failNext(faults.rateLimited({ retryAfter: 30, global: true }), { route });
    const refused = await rejectionOf(strict.post(Routes.channelMessages(discord.ids.textChannel), { body: { content: '전역 제한' } }), RateLimitError);
    expect(refused.global).toBe(true);
    expect(refused.retryAfter).toBe(30_000 + 50);
  });

  it('counts route buckets: the client that reads the headers waits; one that does not gets the 429 body', async () => {
    discord.setRateLimit('POST /channels/:channel/messages', { limit: 2, windowMs: 300 });
    const waits: unknown[] = [];
    rest.on(RESTEvents.RateLimited, (info) => waits.push(info));
    await Promise.all([1, 2, 3].map((i) => rest.post(Routes.channelMessages(discord.ids.announcementChannel), { body: { content: `공지 ${i}` } })));
    expect(discord.messages(discord.ids.announcementChannel)).toHaveLength(3);
    expect(discord.requestsTo({ route: 'POST /channels/:channel/messages' }).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(waits).toHaveLength(1);

    // The limit counts per channel: the text channel has its own bucket.
    discord.setRateLimit('POST /channels/:channel/messages', { limit: 2, windowMs: 10_000 });
    const post = () =>
      fetch(`${discord.apiUrl}/v10/channels/${discord.ids.textChannel}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: '질문' }),
      });
    expect((await post()).status).toBe(200);
    expect((await post()).headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    const body = (await limited.json()) as { message: string; retry_after: number; global: boolean };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(10);
  });

  it('opens DMs, and refuses 50007 to a user who closed them', async () => {
    const closed = (await rest.post(Routes.userChannels(), { body: { recipient_id: discord.ids.users.dmClosed } })) as APIDMChannel;
    expect(closed.type).toBe(ChannelType.DM);
    const refused = await rejectionOf(rest.post(Routes.channelMessages(closed.id), { body: { content: '문의하신 내용에 답변드립니다.' } }), DiscordAPIError);
    expect(refused.status).toBe(403);
    expect(refused.rawError).toEqual({ message: 'Cannot send messages to this user', code: 50007 });

    const open = (await rest.post(Routes.userChannels(), { body: { recipient_id: discord.ids.users.citizen } })) as APIDMChannel;
    expect(open.id).toBe(discord.dmChannelId(discord.ids.users.citizen));
    await rest.post(Routes.channelMessages(open.id), { body: { content: '문의하신 내용에 답변드립니다.' } });
    expect(discord.messages(open.id)).toHaveLength(1);
  });

  it('starts forum threads with tags and a starter message, and edits them', async () => {
    const { tags } = discord.ids;
    const applied = [tags['채용'] as string, tags['청년'] as string];
    const thread = (await rest.post(Routes.threads(discord.ids.forumChannel), {
      body: { name: '[채용] 로컬푸드 직매장 판매원', auto_archive_duration: 10080, applied_tags: applied, message: listing() },
    })) as APIThreadChannel & { message: APIMessage };
    expect(thread).toMatchObject({ type: ChannelType.PublicThread, parent_id: discord.ids.forumChannel, applied_tags: applied, thread_metadata: { archived: false, auto_archive_duration: 10080 } });
    expect(thread.message.id).toBe(thread.id);
    expect(discord.threads({ parentId: discord.ids.forumChannel }).map((t) => t.id)).toEqual([thread.id]);
    expect(discord.messages(thread.id)[0]?.embeds[0]?.title).toBe('[채용] 완주군 로컬푸드 직매장 판매원 모집');

    const untagged = await rejectionOf(rest.post(Routes.threads(discord.ids.forumChannel), { body: { name: '태그 없음', message: { content: '본문' } } }), DiscordAPIError);
    expect(untagged.code).toBe(40067);
    const unknownTag = await rejectionOf(rest.post(Routes.threads(discord.ids.forumChannel), { body: { name: '태그 오류', applied_tags: ['1'], message: { content: '본문' } } }), DiscordAPIError);
    expect(unknownTag.code).toBe(50035);
    const inForum = await rejectionOf(rest.post(Routes.channelMessages(discord.ids.forumChannel), { body: { content: '포럼에 직접' } }), DiscordAPIError);
    expect(inForum.code).toBe(40058);

    const closed = (await rest.patch(Routes.channel(thread.id), { body: { name: '[마감] 로컬푸드 직매장 판매원', applied_tags: [tags['채용']], archived: true, locked: true } })) as APIThreadChannel;
    expect(closed.thread_metadata).toMatchObject({ archived: true, locked: true });
    expect(closed.applied_tags).toEqual([tags['채용']]);
  });

  it('creates, counts and moves scheduled events through Discord\'s status transitions', async () => {
    const guild = discord.guildId;
    const start = new Date(discord.now().getTime() + 7 * DAY);
    const end = new Date(start.getTime() + 2 * 3_600_000);
    const external = { name: '특강: 신중년 재취업 전략', description: '50·60 구직자를 위한 특강', privacy_level: 2, entity_type: 3, scheduled_start_time: start.toISOString(), scheduled_end_time: end.toISOString(), entity_metadata: { location: '완주군일자리지원센터 2층 교육장' } };
    const event = (await rest.post(Routes.guildScheduledEvents(guild), { body: external })) as APIGuildScheduledEvent;
    expect(event).toMatchObject({ status: 1, entity_type: 3, channel_id: null, entity_metadata: { location: '완주군일자리지원센터 2층 교육장' } });

    discord.setEventInterest(event.id, 12);
    const counted = (await rest.get(Routes.guildScheduledEvent(guild, event.id), { query: new URLSearchParams({ with_user_count: 'true' }) })) as APIGuildScheduledEvent;
    expect(counted.user_count).toBe(12);
    const plain = (await rest.get(Routes.guildScheduledEvent(guild, event.id))) as APIGuildScheduledEvent;
    expect(plain.user_count).toBeUndefined();

    const noEnd = await rejectionOf(rest.post(Routes.guildScheduledEvents(guild), { body: { ...external, scheduled_end_time: undefined } }), DiscordAPIError);
    expect(noEnd.rawError).toMatchObject({ code: 50035, errors: { scheduled_end_time: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } });
    const past = await rejectionOf(rest.post(Routes.guildScheduledEvents(guild), { body: { ...external, scheduled_start_time: new Date(discord.now().getTime() - DAY).toISOString() } }), DiscordAPIError);
    expect(past.code).toBe(50035);
    const voice = (await rest.post(Routes.guildScheduledEvents(guild), { body: { name: '온라인 특강', privacy_level: 2, entity_type: 2, channel_id: discord.ids.voiceChannel, scheduled_start_time: start.toISOString() } })) as APIGuildScheduledEvent;
    expect(voice.channel_id).toBe(discord.ids.voiceChannel);

    const skip = await rejectionOf(rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { status: 3 } }), DiscordAPIError);
    expect(skip.code).toBe(50035);
    await rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { status: 2 } });
    await rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { status: 3 } });
    const finished = await rejectionOf(rest.patch(Routes.guildScheduledEvent(guild, event.id), { body: { name: '변경' } }), DiscordAPIError);
    expect(finished.code).toBe(180000);
    await rest.delete(Routes.guildScheduledEvent(guild, voice.id));
    await rejectionOf(rest.get(Routes.guildScheduledEvent(guild, voice.id)), DiscordAPIError).then((e) => expect(e.code).toBe(10070));
  });

  it('computes the bot\'s permissions from roles and overwrites: 50001, 50013', async () => {
    const hidden = await rejectionOf(rest.post(Routes.channelMessages(discord.ids.staffChannel), { body: { content: '상담원 공지' } }), DiscordAPIError);
    expect(hidden.rawError).toEqual({ message: 'Missing Access', code: 50001 });

    discord.setChannelOverwrite(discord.ids.textChannel, { id: discord.ids.botRole, type: 0, deny: ['SEND_MESSAGES'] });
    const muted = await rejectionOf(rest.post(Routes.channelMessages(discord.ids.textChannel), { body: { content: '안내' } }), DiscordAPIError);
    expect(muted.rawError).toEqual({ message: 'Missing Permissions', code: 50013 });

    // Without EMBED_LINKS Discord drops the embeds, or refuses a message that would be empty.
    discord.setChannelOverwrite(discord.ids.textChannel, { id: discord.ids.botRole, type: 0, deny: ['EMBED_LINKS'] });
    const stripped = (await rest.post(Routes.channelMessages(discord.ids.textChannel), { body: listing() })) as APIMessage;
    expect(stripped.embeds).toEqual([]);
    expect((await rejectionOf(rest.post(Routes.channelMessages(discord.ids.textChannel), { body: { embeds: listing().embeds } }), DiscordAPIError)).code).toBe(50013);

    discord.setBotPermissions(['VIEW_CHANNEL', 'SEND_MESSAGES', 'MANAGE_ROLES']);
    const start = new Date(discord.now().getTime() + DAY).toISOString();
    const noEvents = await rejectionOf(rest.post(Routes.guildScheduledEvents(discord.guildId), { body: { name: '특강', privacy_level: 2, entity_type: 3, scheduled_start_time: start, scheduled_end_time: new Date(Date.parse(start) + 3_600_000).toISOString(), entity_metadata: { location: '센터' } } }), DiscordAPIError);
    expect(noEvents.code).toBe(50013);

    const { citizen } = discord.ids.users;
    await rest.put(Routes.guildMemberRole(discord.guildId, citizen, discord.ids.alertRoles.채용));
    expect(discord.memberRoles(citizen)).toEqual([discord.ids.alertRoles.채용]);
    await rest.delete(Routes.guildMemberRole(discord.guildId, citizen, discord.ids.alertRoles.채용));
    expect(discord.memberRoles(citizen)).toEqual([]);
    const above = await rejectionOf(rest.put(Routes.guildMemberRole(discord.guildId, citizen, discord.ids.adminRole)), DiscordAPIError);
    expect(above.code).toBe(50013);
  });

  it('bulk-overwrites guild commands, keeping ids, and records each registration', async () => {
    const route = Routes.applicationGuildCommands(discord.applicationId, discord.guildId);
    const commands = [
      { name: '채용', description: '채용 정보를 찾아봅니다', options: [{ type: 3, name: '지역', description: '지역 이름' }] },
      { name: '문의', description: '상담원에게 문의합니다' },
    ];
    const first = (await rest.put(route, { body: commands })) as { id: string; name: string }[];
    const second = (await rest.put(route, { body: commands })) as { id: string; name: string }[];
    expect(second.map((c) => c.id)).toEqual(first.map((c) => c.id));
    expect(discord.commands().map((c) => c.name)).toEqual(['채용', '문의']);
    expect(discord.commandRegistrations).toHaveLength(2);
    const bad = await rejectionOf(rest.put(route, { body: [{ name: 'Bad Name', description: '' }] }), DiscordAPIError);
    expect(bad.code).toBe(50035);
    expect(discord.commandRegistrations).toHaveLength(2);
  });

  it('crossposts only in announcement channels, once; pages and deletes messages', async () => {
    const news = (await rest.post(Routes.channelMessages(discord.ids.announcementChannel), { body: { content: '[공지] 12월 채용박람회' } })) as APIMessage;
    const published = (await rest.post(Routes.channelMessageCrosspost(discord.ids.announcementChannel, news.id))) as APIMessage;
    expect(published.flags).toBe(MessageFlags.Crossposted);
    expect(discord.crossposts).toMatchObject([{ messageId: news.id, channelId: discord.ids.announcementChannel }]);
    expect((await rejectionOf(rest.post(Routes.channelMessageCrosspost(discord.ids.announcementChannel, news.id)), DiscordAPIError)).code).toBe(40033);
    const plain = (await rest.post(Routes.channelMessages(discord.ids.textChannel), { body: { content: '일반' } })) as APIMessage;
    expect((await rejectionOf(rest.post(Routes.channelMessageCrosspost(discord.ids.textChannel, plain.id)), DiscordAPIError)).code).toBe(50024);

    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(((await rest.post(Routes.channelMessages(discord.ids.textChannel), { body: { content: `${i}` } })) as APIMessage).id);
    const newest = (await rest.get(Routes.channelMessages(discord.ids.textChannel), { query: new URLSearchParams({ limit: '2' }) })) as APIMessage[];
    expect(newest.map((m) => m.content)).toEqual(['4', '3']);
    const older = (await rest.get(Routes.channelMessages(discord.ids.textChannel), { query: new URLSearchParams({ limit: '2', before: ids[3] as string }) })) as APIMessage[];
    expect(older.map((m) => m.content)).toEqual(['2', '1']);
    const after = (await rest.get(Routes.channelMessages(discord.ids.textChannel), { query: new URLSearchParams({ limit: '2', after: ids[1] as string }) })) as APIMessage[];
    expect(after.map((m) => m.content)).toEqual(['3', '2']);

    await rest.delete(Routes.channelMessage(discord.ids.textChannel, plain.id));
    const gone = await rejectionOf(rest.delete(Routes.channelMessage(discord.ids.textChannel, plain.id)), DiscordAPIError);
    expect(gone.rawError).toEqual({ message: 'Unknown Message', code: 10008 });
    expect((await rejectionOf(rest.get(Routes.channel('1')), DiscordAPIError)).code).toBe(10003);
  });
});

describe('the gateway, with a discord.js Client', () => {
  let discord: DiscordEmulator;
  let client: Client;
  const errors: unknown[] = [];

  /** Runs `handler` for the next interaction, keeping what it throws for the test to see. */
  function onNextInteraction(handler: (i: Interaction) => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      client.once(Events.InteractionCreate, (i) => {
        handler(i).catch((e: unknown) => errors.push(e)).finally(resolve);
      });
    });
  }

  function nextMessage(predicate: (m: Message) => boolean): Promise<Message> {
    return new Promise((resolve) => {
      const listener = (m: Message) => {
        if (!predicate(m)) return;
        client.off(Events.MessageCreate, listener);
        resolve(m);
      };
      client.on(Events.MessageCreate, listener);
    });
  }

  beforeAll(async () => {
    discord = await startDiscordEmulator({ heartbeatIntervalMs: 200 });
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildScheduledEvents],
      // DMs reach a v14 client only with the Channel partial (DM channels are not cached), and
      // GUILD_SCHEDULED_EVENT_USER_ADD only with the User partial for users it has not seen.
      partials: [Partials.Channel, Partials.User],
      rest: { api: discord.apiUrl },
      // Test speed only: @discordjs/ws spaces identifies 5 s apart, which a re-identify test would wait out.
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) },
    });
    const ready = once(client, Events.ClientReady);
    await client.login(discord.token);
    await ready;
    await client.application?.commands.set(
      [
        { name: '채용', description: '채용 정보를 찾아봅니다', options: [{ type: ApplicationCommandOptionType.String, name: '지역', description: '지역 이름' }] },
        { name: '문의', description: '상담원에게 문의합니다' },
      ],
      discord.guildId,
    );
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
    expect(errors).toEqual([]);
  });

  it('logs in through GET /gateway/bot, identifies with its intents, and gets READY and the guild', () => {
    expect(client.user?.id).toBe(discord.botUserId);
    expect(client.application?.id).toBe(discord.applicationId);
    const guild = client.guilds.cache.get(discord.guildId);
    expect(guild?.channels.cache.get(discord.ids.forumChannel)?.type).toBe(ChannelType.GuildForum);
    expect(discord.requestsTo({ route: 'GET /gateway/bot' })).toHaveLength(1);
    const { identifies, history } = discord.connections();
    expect(identifies).toBe(1);
    expect(history[0]).toMatchObject({ path: '/gateway', query: { v: '10', encoding: 'json' }, compress: null, handshake: 'identify' });
    expect(history[0]?.intents).toBe(client.options.intents.bitfield);
    expect(history[0]?.identify).toMatchObject({ token: '[redacted]', compress: false, shard: [0, 1], properties: { browser: expect.stringContaining('@discordjs/ws') } });
    expect(history[0]?.heartbeats).toBeGreaterThanOrEqual(0);
  });

  it('delivers a citizen\'s messages in a channel, a forum thread and a DM', async () => {
    const inChannel = nextMessage((m) => m.content === '청년 채용 공고는 어디서 보나요?');
    const sent = discord.userMessage({ channelId: discord.ids.textChannel, authorId: discord.ids.users.citizen, content: '청년 채용 공고는 어디서 보나요?' });
    const got = await inChannel;
    expect(got.id).toBe(sent.id);
    expect(got.author.id).toBe(discord.ids.users.citizen);
    expect(got.guildId).toBe(discord.guildId);

    const threadCreated = once(client, Events.ThreadCreate);
    const inThread = nextMessage((m) => m.channelId !== discord.ids.textChannel && m.content.includes('지원 자격'));
    const post = discord.userForumPost({ authorId: discord.ids.users.migrant, name: '외국인도 지원할 수 있나요?', content: '지원 자격이 궁금합니다', tags: ['외국인'] });
    expect((await threadCreated)[0]).toMatchObject({ id: post.thread.id });
    expect((await inThread).channelId).toBe(post.thread.id);

    const inDm = nextMessage((m) => m.channel.type === ChannelType.DM);
    const dm = discord.userDirectMessage({ authorId: discord.ids.users.citizen2, content: '상담 예약하고 싶어요' });
    const gotDm = await inDm;
    expect(gotDm.id).toBe(dm.id);
    expect(gotDm.content).toBe('상담 예약하고 싶어요');
  });

  it('dispatches a slash command whose ephemeral reply the emulator records', async () => {
    const handled = onNextInteraction(async (i) => {
      if (!i.isChatInputCommand()) throw new Error(`unexpected ${i.type}`);
      await i.reply({ content: `${i.options.getString('지역') ?? '전체'} 지역 채용 정보입니다`, flags: MessageFlags.Ephemeral });
    });
    const command = discord.slashCommand({ name: '채용', options: { 지역: '완주' }, userId: discord.ids.users.citizen });
    await handled;
    expect(discord.interactionResponses(command.id)).toMatchObject([{ type: 4, status: 204, code: null, data: { content: '완주 지역 채용 정보입니다', flags: MessageFlags.Ephemeral } }]);
    expect(discord.interaction(command.id)?.original).toMatchObject({ content: '완주 지역 채용 정보입니다', flags: MessageFlags.Ephemeral });
    expect(discord.messages(discord.ids.textChannel).some((m) => m.content === '완주 지역 채용 정보입니다')).toBe(false);
  });

  it('shows /문의 as a modal and dispatches its submit', async () => {
    const shown = onNextInteraction(async (i) => {
      if (!i.isChatInputCommand()) throw new Error(`unexpected ${i.type}`);
      await i.showModal(
        new ModalBuilder()
          .setCustomId('inquiry')
          .setTitle('상담원에게 문의하기')
          .addLabelComponents((label) => label.setLabel('문의 내용').setTextInputComponent((input) => input.setCustomId('question').setStyle(TextInputStyle.Paragraph).setMaxLength(1000))),
      );
    });
    const command = discord.slashCommand({ name: '문의', userId: discord.ids.users.citizen2 });
    await shown;
    expect(discord.interaction(command.id)?.modal).toMatchObject({ custom_id: 'inquiry', components: [{ type: 18, component: { type: 4, custom_id: 'question' } }] });

    let question = '';
    const submitted = onNextInteraction(async (i) => {
      if (!i.isModalSubmit()) throw new Error(`unexpected ${i.type}`);
      question = i.fields.getTextInputValue('question');
      await i.reply({ content: '문의가 접수되었습니다. 영업일 기준 1일 안에 답변드립니다.', flags: MessageFlags.Ephemeral });
    });
    const submit = discord.modalSubmit({ interactionId: command.id, values: { question: '국민취업지원제도 신청 방법을 알고 싶습니다' } });
    await submitted;
    expect(question).toBe('국민취업지원제도 신청 방법을 알고 싶습니다');
    expect(discord.interactionResponses(submit.id)[0]).toMatchObject({ type: 4, status: 204 });
  });

  it('updates the message a button is on', async () => {
    const channel = client.channels.cache.get(discord.ids.textChannel);
    if (!channel?.isSendable()) throw new Error('text channel not cached');
    const sent = await channel.send({ content: '알림을 받으시겠어요?', components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('alert:채용').setLabel('채용 알림 받기').setStyle(ButtonStyle.Primary))] });
    const clicked = onNextInteraction(async (i) => {
      if (!i.isButton()) throw new Error(`unexpected ${i.type}`);
      await i.update({ content: '채용 알림을 켰습니다.', components: [] });
    });
    const click = discord.buttonClick({ messageId: sent.id, customId: 'alert:채용', userId: discord.ids.users.citizen });
    await clicked;
    expect(discord.interactionResponses(click.id)[0]).toMatchObject({ type: 7, status: 204 });
    expect(discord.message(sent.id)).toMatchObject({ content: '채용 알림을 켰습니다.', components: [] });
  });

  it('takes a deferred reply, its edit and a follow-up over the interaction webhook', async () => {
    const handled = onNextInteraction(async (i) => {
      if (!i.isChatInputCommand()) throw new Error(`unexpected ${i.type}`);
      await i.deferReply();
      await i.editReply({ content: '완주 지역 채용 공고 3건입니다.' });
      await i.followUp({ content: '알림을 받으려면 /알림 을 사용하세요.', flags: MessageFlags.Ephemeral });
    });
    const command = discord.slashCommand({ name: '채용', options: { 지역: '완주' }, userId: discord.ids.users.citizen });
    await handled;
    const state = discord.interaction(command.id);
    expect(state?.callbacks).toMatchObject([{ type: 5, status: 204 }]);
    expect(state?.original).toMatchObject({ content: '완주 지역 채용 공고 3건입니다.', flags: 0, interaction_metadata: { id: command.id } });
    expect(state?.followups).toMatchObject([{ content: '알림을 받으려면 /알림 을 사용하세요.', flags: MessageFlags.Ephemeral }]);
    expect(discord.messages(discord.ids.textChannel)[0]?.id).toBe(state?.original?.id);
  });

  it('creates a scheduled event from the client and hears who is interested', async () => {
    const guild = client.guilds.cache.get(discord.guildId);
    const start = new Date(discord.now().getTime() + 3 * DAY);
    const created = await guild?.scheduledEvents.create({
      name: '청년 면접 특강',
      scheduledStartTime: start,
      scheduledEndTime: new Date(start.getTime() + 3_600_000),
      privacyLevel: 2,
      entityType: 3,
      entityMetadata: { location: '완주군일자리지원센터' },
    });
    expect(discord.events().map((e) => e.id)).toEqual([created?.id]);
    const interested = once(client, Events.GuildScheduledEventUserAdd);
    discord.eventUserAdd({ eventId: created?.id ?? '', userId: discord.ids.users.citizen2 });
    const [event, user] = (await interested) as [{ id: string }, { id: string }];
    expect(event.id).toBe(created?.id);
    expect(user.id).toBe(discord.ids.users.citizen2);
    expect(discord.event(created?.id ?? '')?.user_count).toBe(1);
  });

  it('refuses a first response after the 3-second deadline with 10062', async () => {
    const late = onNextInteraction(async (i) => {
      if (!i.isRepliable()) throw new Error('not repliable');
      const error = await i.reply({ content: '늦은 답변' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DiscordAPIError);
      expect((error as DiscordAPIError).code).toBe(10062);
    });
    const command = discord.slashCommand({ name: '채용', userId: discord.ids.users.citizen });
    discord.advance(3001);
    await late;
    expect(discord.interactionResponses(command.id)).toMatchObject([{ status: 404, code: 10062, elapsedMs: 3001 }]);
  });

  it('resumes after an abrupt drop and gets the dispatch made while it was down, once', async () => {
    const before = discord.connections();
    const seen: string[] = [];
    const count = (m: Message) => seen.push(m.id);
    client.on(Events.MessageCreate, count);
    const resumed = once(client, Events.ShardResume);
    discord.dropConnections();
    const missed = discord.userMessage({ channelId: discord.ids.textChannel, authorId: discord.ids.users.citizen, content: '연결이 끊긴 동안 보낸 질문' });
    await resumed;
    const marker = discord.userMessage({ channelId: discord.ids.textChannel, authorId: discord.ids.users.citizen, content: '표시' });
    await until(() => seen.includes(marker.id), 'the marker message');
    client.off(Events.MessageCreate, count);
    expect(seen.filter((id) => id === missed.id)).toHaveLength(1);
    expect(discord.dispatchLog.find((d) => d.t === 'MESSAGE_CREATE' && (d.d as { id: string }).id === missed.id)?.buffered).toBe(true);

    const after = discord.connections();
    expect(after.identifies).toBe(before.identifies);
    expect(after.resumes).toBe(before.resumes + 1);
    const dropped = after.history[before.history.length - 1];
    expect(dropped).toMatchObject({ closedBy: 'emulator', closeCode: 1006 });
    expect(after.history.at(-1)).toMatchObject({ path: '/gateway-resume', handshake: 'resume', sessionId: dropped?.sessionId });
  });

  it('detects a zombie connection (no heartbeat ACK) and resumes', async () => {
    const before = discord.connections();
    const resumed = once(client, Events.ShardResume);
    discord.zombifyConnections();
    await resumed;
    const after = discord.connections();
    expect(after.resumes).toBe(before.resumes + 1);
    // @discordjs/ws closes a zombie with 4200, which keeps the session.
    expect(after.history.at(-2)).toMatchObject({ closedBy: 'client', closeCode: 4200 });
  });

  it('resumes on op 7 Reconnect; re-identifies when the session timed out (4009 then op 9)', async () => {
    const before = discord.connections();
    const resumed = once(client, Events.ShardResume);
    discord.requestReconnect();
    await resumed;
    expect(discord.connections().resumes).toBe(before.resumes + 1);

    const reidentified = new Promise<void>((resolve) => {
      const listener = (packet: { t?: string }) => {
        if (packet.t !== 'READY') return;
        client.off(Events.Raw, listener);
        resolve();
      };
      client.on(Events.Raw, listener);
    });
    discord.dropConnections(4009);
    await reidentified;
    const after = discord.connections();
    expect(after.identifies).toBe(before.identifies + 1);
    expect(after.history.some((c) => c.resumeRefused)).toBe(true);
    expect(after.history.at(-1)).toMatchObject({ path: '/gateway', handshake: 'identify' });
  });
});

describe('the gateway, refusing and filtering', () => {
  let discord: DiscordEmulator;

  beforeEach(async () => {
    discord = await startDiscordEmulator({ grantMessageContent: false, heartbeatIntervalMs: 5000 });
  });

  afterEach(async () => {
    await discord.close();
  });

  it('closes with 4014 when the message-content intent is asked for but not granted, and discord.js says so', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent], rest: { api: discord.apiUrl } });
    const disconnected = once(client, Events.ShardDisconnect);
    await expect(client.login(discord.token)).rejects.toThrow('Used disallowed intents');
    expect((await disconnected)[0]).toMatchObject({ code: 4014 });
    expect(discord.connections().history[0]).toMatchObject({ closeCode: 4014, closedBy: 'emulator' });
    await client.destroy();
  });

  it('hides message content from a session without the intent, except in DMs and mentions; speaks zlib-stream', async () => {
    const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = zlib.createInflate();
    const received: { op: number; t: string | null; s: number | null; d: Record<string, unknown> }[] = [];
    let text = '';
    inflate.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    ws.on('message', (data: Buffer) => {
      inflate.write(data);
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (text === '') return;
        received.push(JSON.parse(text) as (typeof received)[number]);
        text = '';
      });
    });
    await until(() => received.some((p) => p.op === 10), 'HELLO');
    expect(received[0]?.d).toMatchObject({ heartbeat_interval: 5000 });
    ws.send(JSON.stringify({ op: 2, d: { token: discord.token, intents: (1 << 0) | (1 << 9) | (1 << 12), properties: { os: 'linux', browser: 'raw', device: 'raw' } } }));
    await until(() => received.some((p) => p.t === 'GUILD_CREATE'), 'GUILD_CREATE');
    expect(received.find((p) => p.t === 'READY')?.s).toBe(1);

    const { citizen } = discord.ids.users;
    const plain = discord.userMessage({ channelId: discord.ids.textChannel, authorId: citizen, content: '일반 질문' });
    const mention = discord.userMessage({ channelId: discord.ids.textChannel, authorId: citizen, content: `<@${discord.botUserId}> 답변 부탁드려요` });
    const dm = discord.userDirectMessage({ authorId: citizen, content: 'DM 질문' });
    await until(() => received.filter((p) => p.t === 'MESSAGE_CREATE').length === 3, 'three messages');
    const content = (id: string) => received.find((p) => p.t === 'MESSAGE_CREATE' && p.d.id === id)?.d.content;
    expect(content(plain.id)).toBe('');
    expect(content(mention.id)).toBe(`<@${discord.botUserId}> 답변 부탁드려요`);
    expect(content(dm.id)).toBe('DM 질문');
    const seqs = received.filter((p) => p.op === 0).map((p) => p.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    ws.close(1000);
    await once(ws, 'close');
  });
});
