/**
 * Reads from Discord what the bot is and may do: its user, the server's roles and its own, a
 * channel's type, tags and overwrites. Used by doctor, and to name the missing permission when a
 * call is refused.
 */
import { Routes, type APIChannel, type APIGuild, type APIGuildMember, type APIUser } from 'discord.js';
import type { DiscordApi } from './rest.js';
import { basePermissions, channelPermissions, missing, type PermissionName } from './permissions.js';

export interface GuildView {
  guild: APIGuild;
  member: APIGuildMember;
  botId: string;
}

export async function botUser(api: DiscordApi): Promise<APIUser> {
  return api.get<APIUser>(Routes.user('@me'), { what: 'read the bot user' });
}

export async function guildView(api: DiscordApi, guildId: string, botId: string): Promise<GuildView> {
  const [guild, member] = await Promise.all([
    api.get<APIGuild>(Routes.guild(guildId), { what: `read server ${guildId}` }),
    api.get<APIGuildMember>(Routes.guildMember(guildId, botId), { what: `read the bot's roles in server ${guildId}` }),
  ]);
  return { guild, member, botId };
}

export async function readChannel(api: DiscordApi, channelId: string): Promise<APIChannel> {
  return api.get<APIChannel>(Routes.channel(channelId), { what: `read channel ${channelId}` });
}

/** The bot's permissions in a channel (a thread takes its parent's), or server-wide when `channelId` is null. */
export async function botPermissions(api: DiscordApi, view: GuildView, channelId: string | null): Promise<bigint> {
  const base = basePermissions(view.guild, view.member, view.botId);
  if (!channelId) return base;
  let channel = await readChannel(api, channelId);
  if ('thread_metadata' in channel && channel.parent_id) channel = await readChannel(api, channel.parent_id);
  const overwrites = 'permission_overwrites' in channel && channel.permission_overwrites ? channel.permission_overwrites : [];
  return channelPermissions(base, view.guild.id, overwrites, view.member, view.botId);
}

/** Which of `needs` the bot lacks there now. */
export async function missingPermissions(api: DiscordApi, guildId: string, botId: string, channelId: string | null, needs: readonly PermissionName[]): Promise<PermissionName[]> {
  const view = await guildView(api, guildId, botId);
  return missing(await botPermissions(api, view, channelId), needs);
}
