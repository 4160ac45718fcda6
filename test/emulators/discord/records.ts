/** The emulator's state records (internal; the handle returns Discord's JSON shapes). */
import type { InteractionCallbackRecord } from './types.js';

export interface Dispatch {
  t: string;
  /** The intent a session needs to get it; null: every session gets it. */
  intent: number | null;
  /** The payload; `messageContent` false means the session may not see message content. */
  payload(messageContent: boolean): unknown;
}

export interface Clock {
  now(): Date;
}

export interface UserRec {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  dmClosed: boolean;
}

export interface RoleRec {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  managed: boolean;
  mentionable: boolean;
  botId?: string;
}

export interface MemberRec {
  userId: string;
  roles: string[];
  joinedAt: Date;
  nick: string | null;
}

export interface OverwriteRec {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface TagRec {
  id: string;
  name: string;
  moderated: boolean;
}

export interface ThreadMeta {
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  archiveTimestamp: Date;
  createTimestamp: Date;
  appliedTags: string[];
  messageCount: number;
  totalMessageSent: number;
}

export interface ChannelRec {
  id: string;
  type: number;
  guildId: string | null;
  name: string | null;
  position: number;
  topic: string | null;
  parentId: string | null;
  overwrites: OverwriteRec[];
  lastMessageId: string | null;
  rateLimitPerUser: number;
  flags: number;
  tags: TagRec[];
  recipientId?: string;
  thread?: ThreadMeta;
  deleted: boolean;
}

export interface MessageRec {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: Record<string, unknown>[];
  flags: number;
  type: number;
  nonce: string | number | null;
  tts: boolean;
  createdAt: Date;
  editedAt: Date | null;
  deleted: boolean;
  ephemeral: boolean;
  mentions: string[];
  mentionRoles: string[];
  mentionEveryone: boolean;
  webhookId: string | null;
  applicationId: string | null;
  interaction: { id: string; type: number; name: string; userId: string } | null;
  reference: string | null;
}

export interface EventRec {
  id: string;
  channelId: string | null;
  creatorId: string;
  name: string;
  description: string | null;
  start: Date;
  end: Date | null;
  privacyLevel: number;
  status: number;
  entityType: number;
  entityMetadata: { location?: string } | null;
  image: string | null;
  recurrenceRule: unknown;
  interested: Set<string>;
  extraInterest: number;
  deleted: boolean;
}

export interface CommandRec {
  id: string;
  guildId: string | null;
  version: string;
  data: Record<string, unknown>;
}

export interface InteractionRec {
  id: string;
  token: string;
  type: number;
  userId: string;
  channelId: string;
  guildId: string | null;
  createdAt: Date;
  acknowledgedWith: number | null;
  expired: boolean;
  callbacks: InteractionCallbackRecord[];
  originalMessageId: string | null;
  followupIds: string[];
  /** For components: the message the component is on. */
  sourceMessageId: string | null;
  modal: Record<string, unknown> | null;
  commandName: string | null;
  payload: Record<string, unknown>;
}

export interface NewMessage {
  /** A forum post's starter message has its thread's id. */
  id?: string;
  channel: ChannelRec;
  authorId: string;
  content?: string;
  embeds?: Record<string, unknown>[];
  components?: Record<string, unknown>[];
  attachments?: Record<string, unknown>[];
  flags?: number;
  type?: number;
  nonce?: string | number | null;
  tts?: boolean;
  allowedMentions?: AllowedMentions;
  webhookId?: string | null;
  applicationId?: string | null;
  interaction?: MessageRec['interaction'];
  reference?: string | null;
  ephemeral?: boolean;
}

export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}
