/**
 * The bot's permissions in a channel, computed from the server's roles and the channel's
 * overwrites as Discord does (topics/permissions, "Permission Hierarchy"), so doctor can say
 * which permission is missing where, and a 403 can name it instead of Discord's bare "Missing
 * Permissions".
 */
import { PermissionFlagsBits, type APIChannel, type APIGuild, type APIGuildMember, type APIRole } from 'discord.js';

export type PermissionName = keyof typeof PermissionFlagsBits;

/** What each kind of work needs, where it is checked. */
export const NEEDS = {
  /** A post in an announcement or text channel (read history: a retry looks for its earlier copy). */
  post: ['ViewChannel', 'SendMessages', 'EmbedLinks', 'ReadMessageHistory'],
  /** A forum post, its tags, and locking and archiving it when the item closes. */
  forum: ['ViewChannel', 'SendMessages', 'EmbedLinks', 'ReadMessageHistory', 'ManageThreads'],
  /** Answers in a post's thread. */
  threadReply: ['ViewChannel', 'SendMessagesInThreads', 'ReadMessageHistory'],
  /** Hiding a public message that shows personal data (Discord has no hide: it is deleted). */
  hide: ['ViewChannel', 'ManageMessages'],
  /** Lectures as scheduled events. */
  events: ['ManageEvents'],
  /** Self-assigned alert roles. */
  roles: ['ManageRoles'],
} as const satisfies Record<string, readonly PermissionName[]>;

/** `SendMessagesInThreads` → `Send Messages In Threads`, as Discord's settings name it. */
export function permissionLabel(name: PermissionName): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace('Manage Events', 'Manage Events (이벤트 관리)');
}

const ALL = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

/** The bot's server-wide permissions: @everyone and its roles; the owner and administrators have all. */
export function basePermissions(guild: Pick<APIGuild, 'id' | 'owner_id' | 'roles'>, member: Pick<APIGuildMember, 'roles'>, userId: string): bigint {
  if (guild.owner_id === userId) return ALL;
  const roles = new Map<string, APIRole>(guild.roles.map((r) => [r.id, r]));
  let p = BigInt(roles.get(guild.id)?.permissions ?? '0');
  for (const id of member.roles) p |= BigInt(roles.get(id)?.permissions ?? '0');
  return p & PermissionFlagsBits.Administrator ? ALL : p;
}

type Overwrites = NonNullable<Extract<APIChannel, { permission_overwrites?: unknown }>['permission_overwrites']>;

/** In one channel (for a thread, pass its parent): overwrites for @everyone, the member's roles, then the member. */
export function channelPermissions(base: bigint, guildId: string, overwrites: Overwrites, member: Pick<APIGuildMember, 'roles'>, userId: string): bigint {
  if (base === ALL) return ALL;
  let p = base;
  const everyone = overwrites.find((o) => o.id === guildId);
  if (everyone) p = (p & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guildId && member.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  p = (p & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) p = (p & ~BigInt(own.deny)) | BigInt(own.allow);
  if (!(p & PermissionFlagsBits.ViewChannel)) return 0n;
  // Without Send Messages, Discord drops the permissions that only make sense when sending.
  if (!(p & PermissionFlagsBits.SendMessages)) p &= ~(PermissionFlagsBits.MentionEveryone | PermissionFlagsBits.SendTTSMessages | PermissionFlagsBits.AttachFiles | PermissionFlagsBits.EmbedLinks);
  return p;
}

/** Which of `needed` `permissions` lacks. */
export function missing(permissions: bigint, needed: readonly PermissionName[]): PermissionName[] {
  return needed.filter((name) => (permissions & PermissionFlagsBits[name]) === 0n);
}
