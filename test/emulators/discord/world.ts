/**
 * The emulator's state: one guild with its channels, roles, members, messages, threads and
 * scheduled events, plus DMs, commands and interactions; how Discord serialises each; the
 * permission computation; and the state changes that also produce gateway dispatches.
 */
import type {
  APIApplicationCommand,
  APIChannel,
  APIGuildMember,
  APIGuildScheduledEvent,
  APIMessage,
  APIRole,
  APIThreadChannel,
  APIUser,
} from 'discord.js';
import {
  ALL_PERMISSIONS,
  ChannelType,
  Errors,
  Intent,
  isThreadType,
  Permission,
  permissionBits,
  Snowflakes,
  type PermissionName,
} from './protocol.js';
import type {
  AllowedMentions,
  ChannelRec,
  Clock,
  CommandRec,
  Dispatch,
  EventRec,
  InteractionRec,
  MemberRec,
  MessageRec,
  NewMessage,
  OverwriteRec,
  RoleRec,
  UserRec,
} from './records.js';
import type { CommandRegistration, CrosspostRecord, EmulatorIds, PermissionsInput } from './types.js';

export type * from './records.js';

const P = Permission;
const DEFAULT_EVERYONE: PermissionName[] = [
  'CREATE_INSTANT_INVITE', 'VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY', 'ADD_REACTIONS', 'EMBED_LINKS', 'ATTACH_FILES',
  'USE_EXTERNAL_EMOJIS', 'CONNECT', 'SPEAK', 'CHANGE_NICKNAME', 'USE_APPLICATION_COMMANDS', 'CREATE_PUBLIC_THREADS', 'SEND_MESSAGES_IN_THREADS',
];
const DEFAULT_BOT: PermissionName[] = [
  'VIEW_CHANNEL', 'SEND_MESSAGES', 'EMBED_LINKS', 'ATTACH_FILES', 'READ_MESSAGE_HISTORY', 'ADD_REACTIONS', 'USE_APPLICATION_COMMANDS',
  'CREATE_PUBLIC_THREADS', 'SEND_MESSAGES_IN_THREADS', 'MANAGE_THREADS', 'MANAGE_MESSAGES', 'MANAGE_EVENTS', 'MANAGE_ROLES', 'CONNECT',
];
export const FORUM_TAGS = ['채용', '훈련', '특강', '공지', '청년', '신중년', '여성', '외국인'];
const FORUM_REQUIRE_TAG = 1 << 4;

/** Discord's timestamp format: microseconds and an explicit offset. */
export const discordTime = (d: Date) => d.toISOString().replace(/Z$/, '000+00:00');

export class World {
  readonly ids: EmulatorIds;
  readonly applicationId: string;
  readonly users = new Map<string, UserRec>();
  readonly roles = new Map<string, RoleRec>();
  readonly members = new Map<string, MemberRec>();
  readonly channels = new Map<string, ChannelRec>();
  readonly messages = new Map<string, MessageRec>();
  readonly events = new Map<string, EventRec>();
  readonly commands = new Map<string, CommandRec>();
  readonly interactions = new Map<string, InteractionRec>();
  readonly interactionsByToken = new Map<string, InteractionRec>();
  readonly dmByUser = new Map<string, string>();
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  readonly commandRegistrations: CommandRegistration[] = [];
  readonly crossposts: CrosspostRecord[] = [];
  grantMessageContent: boolean;
  readonly grantGuildMembers: boolean;
  readonly grantPresences: boolean;
  readonly nonceWindowMs: number;
  /** Where dispatches go; the gateway installs itself here. */
  emit: (dispatch: Dispatch) => void = () => undefined;
  private readonly snowflakes = new Snowflakes();

  constructor(
    readonly clock: Clock,
    o: {
      applicationId: string;
      botUsername: string;
      grantMessageContent: boolean;
      grantGuildMembers: boolean;
      grantPresences: boolean;
      permissions?: PermissionsInput;
      everyonePermissions?: PermissionsInput;
      nonceWindowMs: number;
    },
  ) {
    this.nonceWindowMs = o.nonceWindowMs;
    this.applicationId = o.applicationId;
    this.grantMessageContent = o.grantMessageContent;
    this.grantGuildMembers = o.grantGuildMembers;
    this.grantPresences = o.grantPresences;
    // Fixed ids, so a test can name them; new objects get time-based snowflakes above these.
    const id = (n: number) => `13100000000000${String(n).padStart(5, '0')}`;
    const tags = Object.fromEntries(FORUM_TAGS.map((name, i) => [name, id(501 + i)]));
    this.ids = {
      guild: id(100),
      announcementChannel: id(201),
      textChannel: id(202),
      forumChannel: id(203),
      voiceChannel: id(204),
      staffChannel: id(205),
      everyoneRole: id(100),
      botRole: id(301),
      staffRole: id(302),
      adminRole: id(303),
      alertRoles: { 채용: id(311), 훈련: id(312), 특강: id(313) },
      tags,
      users: { bot: o.applicationId, citizen: id(401), citizen2: id(402), dmClosed: id(403), migrant: id(404), staff: id(405), owner: id(406) },
    };
    const ids = this.ids;
    const joined = new Date(Date.UTC(2025, 2, 1));
    const addUser = (uid: string, username: string, globalName: string | null, roles: string[], extra: Partial<UserRec> = {}) => {
      this.users.set(uid, { id: uid, username, globalName, bot: false, dmClosed: false, ...extra });
      this.members.set(uid, { userId: uid, roles, joinedAt: joined, nick: null });
    };
    addUser(ids.users.bot, o.botUsername.toLowerCase(), null, [ids.botRole], { bot: true, username: o.botUsername });
    addUser(ids.users.citizen, 'minsu.kim', '김민수', []);
    addUser(ids.users.citizen2, 'younghee_lee', '이영희', []);
    addUser(ids.users.dmClosed, 'chulsoo.park', '박철수', [], { dmClosed: true });
    addUser(ids.users.migrant, 'nguyen.van.an', 'Nguyen Van An', []);
    addUser(ids.users.staff, 'counselor.choi', '최상담', [ids.staffRole]);
    addUser(ids.users.owner, 'wanju.center', '센터장', [ids.adminRole]);

    const role = (rid: string, name: string, position: number, permissions: bigint, extra: Partial<RoleRec> = {}) =>
      this.roles.set(rid, { id: rid, name, position, permissions, color: 0, hoist: false, managed: false, mentionable: false, ...extra });
    role(ids.everyoneRole, '@everyone', 0, permissionBits(o.everyonePermissions ?? DEFAULT_EVERYONE));
    role(ids.alertRoles.채용, '채용알림', 1, 0n, { mentionable: true, color: 0x2e7d32 });
    role(ids.alertRoles.훈련, '훈련알림', 2, 0n, { mentionable: true, color: 0x1565c0 });
    role(ids.alertRoles.특강, '특강알림', 3, 0n, { mentionable: true, color: 0xef6c00 });
    role(ids.staffRole, '상담원', 4, P.MANAGE_MESSAGES | P.MANAGE_THREADS | P.MENTION_EVERYONE, { hoist: true, color: 0x6a1b9a });
    role(ids.botRole, o.botUsername, 5, permissionBits(o.permissions ?? DEFAULT_BOT), { managed: true, botId: ids.users.bot });
    role(ids.adminRole, '관리자', 6, P.ADMINISTRATOR, { hoist: true, color: 0xc62828 });

    const channel = (cid: string, type: number, name: string, position: number, extra: Partial<ChannelRec> = {}) =>
      this.channels.set(cid, {
        id: cid, type, guildId: ids.guild, name, position, topic: null, parentId: null, overwrites: [], lastMessageId: null,
        rateLimitPerUser: 0, flags: 0, tags: [], deleted: false, ...extra,
      });
    const ow = (oid: string, type: 0 | 1, allow: bigint, deny: bigint): OverwriteRec => ({ id: oid, type, allow, deny });
    const posting = P.SEND_MESSAGES | P.CREATE_PUBLIC_THREADS;
    channel(ids.announcementChannel, ChannelType.GUILD_ANNOUNCEMENT, '공지사항', 0, {
      topic: '완주군일자리지원센터의 채용·훈련·특강 소식',
      overwrites: [ow(ids.everyoneRole, 0, 0n, posting), ow(ids.botRole, 0, P.SEND_MESSAGES, 0n), ow(ids.staffRole, 0, P.SEND_MESSAGES, 0n)],
    });
    channel(ids.textChannel, ChannelType.GUILD_TEXT, '자유게시판', 1, { topic: '궁금한 점을 자유롭게 물어보세요' });
    channel(ids.forumChannel, ChannelType.GUILD_FORUM, '채용-훈련-정보', 2, {
      topic: '채용 공고와 훈련 과정 안내',
      flags: FORUM_REQUIRE_TAG,
      tags: FORUM_TAGS.map((name) => ({ id: tags[name] as string, name, moderated: name === '공지' })),
      overwrites: [ow(ids.everyoneRole, 0, 0n, P.SEND_MESSAGES), ow(ids.botRole, 0, P.SEND_MESSAGES, 0n), ow(ids.staffRole, 0, P.SEND_MESSAGES, 0n)],
    });
    channel(ids.voiceChannel, ChannelType.GUILD_VOICE, '온라인-특강', 3);
    channel(ids.staffChannel, ChannelType.GUILD_TEXT, '상담원-전용', 4, {
      overwrites: [ow(ids.everyoneRole, 0, 0n, P.VIEW_CHANNEL), ow(ids.staffRole, 0, P.VIEW_CHANNEL, 0n)],
    });
  }

  now(): Date {
    return this.clock.now();
  }

  nextId(): string {
    return this.snowflakes.next(this.now().getTime());
  }

  // -------------------------------------------------------------------------------------------
  // Lookups that refuse like Discord

  channel(id: string): ChannelRec {
    const c = this.channels.get(id);
    if (!c || c.deleted) throw Errors.unknownChannel();
    return c;
  }

  liveMessage(channelId: string, messageId: string): MessageRec {
    const m = this.messages.get(messageId);
    if (!m || m.deleted || m.ephemeral || m.channelId !== channelId) throw Errors.unknownMessage();
    return m;
  }

  userRec(id: string): UserRec {
    const u = this.users.get(id);
    if (!u) throw Errors.unknownUser();
    return u;
  }

  // -------------------------------------------------------------------------------------------
  // Permissions, as in topics/permissions "Permission Hierarchy" and "Implicit Permissions"

  basePermissions(userId: string): bigint {
    if (userId === this.ids.users.owner) return ALL_PERMISSIONS;
    const member = this.members.get(userId);
    let p = this.roles.get(this.ids.everyoneRole)?.permissions ?? 0n;
    for (const r of member?.roles ?? []) p |= this.roles.get(r)?.permissions ?? 0n;
    return p & P.ADMINISTRATOR ? ALL_PERMISSIONS : p;
  }

  channelPermissions(userId: string, channelId: string): bigint {
    const channel = this.channels.get(channelId);
    if (!channel) return 0n;
    if (channel.type === ChannelType.DM) return P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE;
    let p = this.basePermissions(userId);
    if (p === ALL_PERMISSIONS) return p;
    // Threads take their parent's overwrites.
    const source = channel.thread && channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    const everyone = source.overwrites.find((o) => o.id === this.ids.everyoneRole);
    if (everyone) p = (p & ~everyone.deny) | everyone.allow;
    const memberRoles = this.members.get(userId)?.roles ?? [];
    let allow = 0n;
    let deny = 0n;
    for (const o of source.overwrites) {
      if (o.type === 0 && memberRoles.includes(o.id)) {
        allow |= o.allow;
        deny |= o.deny;
      }
    }
    p = (p & ~deny) | allow;
    const own = source.overwrites.find((o) => o.type === 1 && o.id === userId);
    if (own) p = (p & ~own.deny) | own.allow;
    if (!(p & P.VIEW_CHANNEL)) return 0n;
    if (!(p & P.SEND_MESSAGES)) p &= ~(P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS);
    return p;
  }

  /** 50001 without VIEW_CHANNEL, 50013 without any of `needed`. */
  requireChannel(channelId: string, needed: bigint, userId = this.ids.users.bot): bigint {
    const p = this.channelPermissions(userId, channelId);
    if (!(p & P.VIEW_CHANNEL)) throw Errors.missingAccess();
    if ((p & needed) !== needed) throw Errors.missingPermissions();
    return p;
  }

  requireGuild(needed: bigint, userId = this.ids.users.bot): void {
    if ((this.basePermissions(userId) & needed) !== needed) throw Errors.missingPermissions();
  }

  highestRolePosition(userId: string): number {
    if (userId === this.ids.users.owner) return Number.POSITIVE_INFINITY;
    return Math.max(0, ...(this.members.get(userId)?.roles ?? []).map((r) => this.roles.get(r)?.position ?? 0));
  }

  // -------------------------------------------------------------------------------------------
  // Serialisation in Discord's shapes

  apiUser(id: string): APIUser {
    const u = this.users.get(id) ?? { id, username: 'deleted_user', globalName: null, bot: false, dmClosed: false };
    return {
      id: u.id,
      username: u.username,
      discriminator: u.bot ? '7317' : '0',
      global_name: u.globalName,
      avatar: null,
      ...(u.bot ? { bot: true } : {}),
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
    } as unknown as APIUser;
  }

  apiMember(userId: string, withUser = true): APIGuildMember {
    const m = this.members.get(userId);
    if (!m) throw Errors.unknownMember();
    return {
      ...(withUser ? { user: this.apiUser(userId) } : {}),
      nick: m.nick,
      avatar: null,
      banner: null,
      roles: [...m.roles],
      joined_at: discordTime(m.joinedAt),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    } as unknown as APIGuildMember;
  }

  apiRole(r: RoleRec): APIRole {
    return {
      id: r.id,
      name: r.name,
      color: r.color,
      colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
      hoist: r.hoist,
      icon: null,
      unicode_emoji: null,
      position: r.position,
      permissions: r.permissions.toString(),
      managed: r.managed,
      mentionable: r.mentionable,
      flags: 0,
      ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
    } as unknown as APIRole;
  }

  rolesSorted(): RoleRec[] {
    return [...this.roles.values()].sort((a, b) => a.position - b.position);
  }

  apiChannel(c: ChannelRec): APIChannel {
    if (c.type === ChannelType.DM) {
      return { id: c.id, type: 1, name: null, last_message_id: c.lastMessageId, flags: 0, recipients: [this.apiUser(c.recipientId ?? '')] } as unknown as APIChannel;
    }
    const overwrites = c.overwrites.map((o) => ({ id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() }));
    if (c.thread) {
      const t = c.thread;
      return {
        id: c.id,
        type: c.type,
        guild_id: c.guildId,
        parent_id: c.parentId,
        owner_id: t.ownerId,
        name: c.name,
        last_message_id: c.lastMessageId,
        message_count: t.messageCount,
        member_count: 1,
        rate_limit_per_user: c.rateLimitPerUser,
        thread_metadata: {
          archived: t.archived,
          auto_archive_duration: t.autoArchiveDuration,
          archive_timestamp: discordTime(t.archiveTimestamp),
          locked: t.locked,
          create_timestamp: discordTime(t.createTimestamp),
          ...(c.type === ChannelType.PRIVATE_THREAD ? { invitable: true } : {}),
        },
        total_message_sent: t.totalMessageSent,
        applied_tags: [...t.appliedTags],
        flags: c.flags,
      } as unknown as APIChannel;
    }
    const base = {
      id: c.id,
      type: c.type,
      guild_id: c.guildId,
      position: c.position,
      permission_overwrites: overwrites,
      name: c.name,
      nsfw: false,
      parent_id: c.parentId,
      flags: c.flags,
    };
    if (c.type === ChannelType.GUILD_VOICE) {
      return { ...base, last_message_id: c.lastMessageId, rate_limit_per_user: 0, bitrate: 64000, user_limit: 0, rtc_region: null, video_quality_mode: 1 } as unknown as APIChannel;
    }
    if (c.type === ChannelType.GUILD_FORUM) {
      return {
        ...base,
        topic: c.topic,
        last_message_id: c.lastMessageId,
        rate_limit_per_user: c.rateLimitPerUser,
        default_auto_archive_duration: 10080,
        available_tags: c.tags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated, emoji_id: null, emoji_name: null })),
        default_reaction_emoji: null,
        default_thread_rate_limit_per_user: 0,
        default_sort_order: null,
        default_forum_layout: 1,
        template: '',
      } as unknown as APIChannel;
    }
    return {
      ...base,
      topic: c.topic,
      last_message_id: c.lastMessageId,
      rate_limit_per_user: c.rateLimitPerUser,
      default_auto_archive_duration: 1440,
      last_pin_timestamp: null,
    } as unknown as APIChannel;
  }

  apiThread(c: ChannelRec): APIThreadChannel {
    return this.apiChannel(c) as APIThreadChannel;
  }

  apiMessage(m: MessageRec, o: { nonce?: boolean } = {}): APIMessage {
    const channel = this.channels.get(m.channelId);
    const ref = m.reference ? this.messages.get(m.reference) : undefined;
    const out: Record<string, unknown> = {
      id: m.id,
      type: m.type,
      content: m.content,
      channel_id: m.channelId,
      author: this.apiUser(m.authorId),
      attachments: m.attachments,
      embeds: m.embeds,
      mentions: m.mentions.map((u) => this.apiUser(u)),
      mention_roles: m.mentionRoles,
      pinned: false,
      mention_everyone: m.mentionEveryone,
      tts: m.tts,
      timestamp: discordTime(m.createdAt),
      edited_timestamp: m.editedAt ? discordTime(m.editedAt) : null,
      flags: m.flags,
      components: m.components,
    };
    if (m.webhookId) out.webhook_id = m.webhookId;
    if (m.applicationId) out.application_id = m.applicationId;
    if (o.nonce && m.nonce !== null) out.nonce = m.nonce;
    if (channel?.thread) out.position = Math.max(0, channel.thread.totalMessageSent - 1);
    if (m.interaction) {
      out.interaction_metadata = {
        id: m.interaction.id,
        type: m.interaction.type,
        user: this.apiUser(m.interaction.userId),
        authorizing_integration_owners: { 0: channel?.guildId ?? '0' },
      };
      out.interaction = { id: m.interaction.id, type: m.interaction.type, name: m.interaction.name, user: this.apiUser(m.interaction.userId) };
    }
    if (ref) {
      out.message_reference = { type: 0, message_id: ref.id, channel_id: ref.channelId, ...(channel?.guildId ? { guild_id: channel.guildId } : {}) };
      out.referenced_message = ref.deleted ? null : this.apiMessage(ref);
    }
    return out as unknown as APIMessage;
  }

  apiEvent(e: EventRec, withUserCount: boolean): APIGuildScheduledEvent {
    return {
      id: e.id,
      guild_id: this.ids.guild,
      channel_id: e.channelId,
      creator_id: e.creatorId,
      name: e.name,
      description: e.description,
      scheduled_start_time: discordTime(e.start),
      scheduled_end_time: e.end ? discordTime(e.end) : null,
      privacy_level: e.privacyLevel,
      status: e.status,
      entity_type: e.entityType,
      entity_id: null,
      entity_metadata: e.entityMetadata,
      creator: this.apiUser(e.creatorId),
      image: e.image,
      recurrence_rule: e.recurrenceRule ?? null,
      auto_start: false,
      ...(withUserCount ? { user_count: e.interested.size + e.extraInterest } : {}),
    } as unknown as APIGuildScheduledEvent;
  }

  apiCommand(c: CommandRec): APIApplicationCommand {
    return {
      ...c.data,
      id: c.id,
      application_id: this.applicationId,
      ...(c.guildId ? { guild_id: c.guildId } : {}),
      version: c.version,
    } as unknown as APIApplicationCommand;
  }

  apiGuild(): Record<string, unknown> {
    return {
      id: this.ids.guild,
      name: '완주군일자리지원센터',
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ids.users.owner,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: this.rolesSorted().map((r) => this.apiRole(r)),
      emojis: [],
      stickers: [],
      features: ['COMMUNITY', 'NEWS'],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: this.ids.textChannel,
      public_updates_channel_id: this.ids.staffChannel,
      safety_alerts_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: '완주군 구직자와 기업을 위한 일자리 소통 공간',
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'ko',
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      incidents_data: null,
    };
  }

  guildChannels(): ChannelRec[] {
    return [...this.channels.values()].filter((c) => c.guildId && !c.thread && !c.deleted);
  }

  activeThreads(): ChannelRec[] {
    return [...this.channels.values()].filter((c) => c.thread && !c.thread.archived && !c.deleted);
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  /** Mentions as Discord resolves them: content, `allowed_mentions`, and the author's MENTION_EVERYONE. */
  resolveMentions(authorId: string, channel: ChannelRec, content: string, allowed: AllowedMentions | undefined, reference: MessageRec | undefined) {
    const parse = allowed ? (allowed.parse ?? []) : ['users', 'roles', 'everyone'];
    const canEveryone = (this.channelPermissions(authorId, channel.id) & P.MENTION_EVERYONE) !== 0n;
    const users = new Set<string>();
    for (const [, id] of content.matchAll(/<@!?(\d{15,21})>/g)) {
      if (id && this.users.has(id) && (parse.includes('users') || allowed?.users?.includes(id))) users.add(id);
    }
    const roles = new Set<string>();
    for (const [, id] of content.matchAll(/<@&(\d{15,21})>/g)) {
      const role = id ? this.roles.get(id) : undefined;
      if (role && (parse.includes('roles') || allowed?.roles?.includes(role.id)) && (role.mentionable || canEveryone)) roles.add(role.id);
    }
    const repliedUser = allowed ? allowed.replied_user === true : true;
    if (reference && repliedUser) users.add(reference.authorId);
    const everyone = /@(everyone|here)\b/.test(content) && parse.includes('everyone') && canEveryone && channel.type !== ChannelType.DM;
    return { users: [...users], roles: [...roles], everyone };
  }

  /** Whether the bot may see this message's content without the MESSAGE_CONTENT intent. */
  contentExempt(m: MessageRec): boolean {
    const channel = this.channels.get(m.channelId);
    return m.authorId === this.ids.users.bot || channel?.type === ChannelType.DM || m.mentions.includes(this.ids.users.bot) || m.mentionRoles.includes(this.ids.botRole);
  }

  createMessage(n: NewMessage): MessageRec {
    const reference = n.reference ? this.messages.get(n.reference) : undefined;
    const mentions = this.resolveMentions(n.authorId, n.channel, n.content ?? '', n.allowedMentions, reference);
    const rec: MessageRec = {
      id: n.id ?? this.nextId(),
      channelId: n.channel.id,
      authorId: n.authorId,
      content: n.content ?? '',
      embeds: n.embeds ?? [],
      components: n.components ?? [],
      attachments: n.attachments ?? [],
      flags: n.flags ?? 0,
      type: n.type ?? (reference ? 19 : 0),
      nonce: n.nonce ?? null,
      tts: n.tts ?? false,
      createdAt: this.now(),
      editedAt: null,
      deleted: false,
      ephemeral: n.ephemeral ?? false,
      mentions: mentions.users,
      mentionRoles: mentions.roles,
      mentionEveryone: mentions.everyone,
      webhookId: n.webhookId ?? null,
      applicationId: n.applicationId ?? null,
      interaction: n.interaction ?? null,
      reference: reference?.id ?? null,
    };
    this.messages.set(rec.id, rec);
    if (rec.ephemeral) return rec;
    n.channel.lastMessageId = rec.id;
    if (n.channel.thread) {
      n.channel.thread.messageCount += 1;
      n.channel.thread.totalMessageSent += 1;
    }
    if (n.channel.parentId) {
      const parent = this.channels.get(n.channel.parentId);
      if (parent?.type === ChannelType.GUILD_FORUM) parent.lastMessageId = n.channel.id;
    }
    this.emit(this.messageDispatch('MESSAGE_CREATE', rec));
    return rec;
  }

  messageDispatch(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', m: MessageRec): Dispatch {
    const channel = this.channels.get(m.channelId);
    const inGuild = Boolean(channel?.guildId);
    return {
      t,
      intent: inGuild ? Intent.GUILD_MESSAGES : Intent.DIRECT_MESSAGES,
      payload: (messageContent) => {
        const d = this.apiMessage(m, { nonce: t === 'MESSAGE_CREATE' }) as unknown as Record<string, unknown>;
        if (!messageContent && !this.contentExempt(m)) {
          d.content = '';
          d.embeds = [];
          d.attachments = [];
          d.components = [];
        }
        if (inGuild && channel) {
          d.guild_id = channel.guildId;
          if (this.members.has(m.authorId) && !m.webhookId) d.member = this.apiMember(m.authorId, false);
          d.mentions = m.mentions.map((u) => (this.members.has(u) ? { ...this.apiUser(u), member: this.apiMember(u, false) } : this.apiUser(u)));
        }
        if (channel) d.channel_type = channel.type;
        return d;
      },
    };
  }

  editMessage(m: MessageRec, patch: { content?: string; embeds?: Record<string, unknown>[]; components?: Record<string, unknown>[]; flags?: number; allowedMentions?: AllowedMentions }): void {
    if (patch.content !== undefined) {
      m.content = patch.content;
      const channel = this.channels.get(m.channelId);
      if (channel) {
        const mentions = this.resolveMentions(m.authorId, channel, m.content, patch.allowedMentions, m.reference ? this.messages.get(m.reference) : undefined);
        m.mentions = mentions.users;
        m.mentionRoles = mentions.roles;
        m.mentionEveryone = mentions.everyone;
      }
    }
    if (patch.embeds !== undefined) m.embeds = patch.embeds;
    if (patch.components !== undefined) m.components = patch.components;
    if (patch.flags !== undefined) m.flags = patch.flags;
    m.editedAt = this.now();
    if (!m.ephemeral) this.emit(this.messageDispatch('MESSAGE_UPDATE', m));
  }

  deleteMessage(m: MessageRec): void {
    m.deleted = true;
    if (m.ephemeral) return;
    const channel = this.channels.get(m.channelId);
    if (channel?.thread) channel.thread.messageCount = Math.max(0, channel.thread.messageCount - 1);
    this.emit({
      t: 'MESSAGE_DELETE',
      intent: channel?.guildId ? Intent.GUILD_MESSAGES : Intent.DIRECT_MESSAGES,
      payload: () => ({ id: m.id, channel_id: m.channelId, ...(channel?.guildId ? { guild_id: channel.guildId } : {}) }),
    });
  }

  /** `enforce_nonce`: the message this author made with this nonce in this channel recently. */
  nonceHit(channelId: string, authorId: string, nonce: string | number): MessageRec | undefined {
    const hit = this.nonces.get(`${channelId}:${authorId}:${String(nonce)}`);
    if (!hit || this.now().getTime() - hit.at > this.nonceWindowMs) return undefined;
    const m = this.messages.get(hit.messageId);
    return m && !m.deleted ? m : undefined;
  }

  rememberNonce(m: MessageRec): void {
    if (m.nonce !== null) this.nonces.set(`${m.channelId}:${m.authorId}:${String(m.nonce)}`, { messageId: m.id, at: m.createdAt.getTime() });
  }

  channelMessages(channelId: string, includeDeleted = false): MessageRec[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId && !m.ephemeral && (includeDeleted || !m.deleted))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  }

  // -------------------------------------------------------------------------------------------
  // Threads, DMs, roles, events

  createThread(o: { parent: ChannelRec; id?: string; name: string; type: number; ownerId: string; autoArchiveDuration: number; appliedTags: string[] }): ChannelRec {
    const now = this.now();
    const rec: ChannelRec = {
      id: o.id ?? this.nextId(),
      type: o.type,
      guildId: this.ids.guild,
      name: o.name,
      position: 0,
      topic: null,
      parentId: o.parent.id,
      overwrites: [],
      lastMessageId: null,
      rateLimitPerUser: 0,
      flags: 0,
      tags: [],
      deleted: false,
      thread: {
        ownerId: o.ownerId,
        archived: false,
        locked: false,
        autoArchiveDuration: o.autoArchiveDuration,
        archiveTimestamp: now,
        createTimestamp: now,
        appliedTags: o.appliedTags,
        messageCount: 0,
        totalMessageSent: 0,
      },
    };
    this.channels.set(rec.id, rec);
    this.emit({ t: 'THREAD_CREATE', intent: Intent.GUILDS, payload: () => ({ ...this.apiChannel(rec), newly_created: true }) });
    return rec;
  }

  threadUpdated(rec: ChannelRec): void {
    this.emit({ t: 'THREAD_UPDATE', intent: Intent.GUILDS, payload: () => this.apiChannel(rec) });
  }

  /** A message in an archived, unlocked thread unarchives it, as in Discord. */
  touchThread(rec: ChannelRec, byUserId: string): void {
    const t = rec.thread;
    if (!t || !t.archived) return;
    if (t.locked && !(this.channelPermissions(byUserId, rec.id) & P.MANAGE_THREADS)) throw Errors.archivedThread();
    t.archived = false;
    t.archiveTimestamp = this.now();
    this.threadUpdated(rec);
  }

  dmChannel(userId: string): ChannelRec {
    const existing = this.dmByUser.get(userId);
    if (existing) return this.channel(existing);
    const rec: ChannelRec = {
      id: this.nextId(), type: ChannelType.DM, guildId: null, name: null, position: 0, topic: null, parentId: null, overwrites: [],
      lastMessageId: null, rateLimitPerUser: 0, flags: 0, tags: [], recipientId: userId, deleted: false,
    };
    this.channels.set(rec.id, rec);
    this.dmByUser.set(userId, rec.id);
    return rec;
  }

  memberUpdated(userId: string): void {
    this.emit({
      t: 'GUILD_MEMBER_UPDATE',
      // Discord sends the bot's own member updates without the GUILD_MEMBERS intent.
      intent: userId === this.ids.users.bot ? null : Intent.GUILD_MEMBERS,
      payload: () => ({ guild_id: this.ids.guild, ...this.apiMember(userId) }),
    });
  }

  eventDispatch(t: string, e: EventRec): void {
    this.emit({ t, intent: Intent.GUILD_SCHEDULED_EVENTS, payload: () => this.apiEvent(e, false) });
  }

  isMessageable(c: ChannelRec): boolean {
    return c.type === ChannelType.GUILD_TEXT || c.type === ChannelType.GUILD_ANNOUNCEMENT || c.type === ChannelType.GUILD_VOICE || c.type === ChannelType.DM || isThreadType(c.type);
  }
}
