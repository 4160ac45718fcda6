/**
 * `ontact doctor` on the Discord server, asked of Discord itself: the token, the server, the
 * bot's permissions in each configured channel (view, send, embed links, threads) and in the
 * server (events, roles), the forum's tags, the alert roles, and whether the privileged
 * message-content intent is granted. Each is one line with what to do.
 */
import { ApplicationFlags, ChannelType, Routes, type APIApplication, type APIChannel } from 'discord.js';
import type { Secrets } from '../../config/secrets.js';
import type { ChannelCheck, SettingsOf } from '../module.js';
import type { ChannelStatus } from '../status.js';
import { botPermissions, botUser, guildView, readChannel, type GuildView } from './probe.js';
import { missing, NEEDS, permissionLabel, type PermissionName } from './permissions.js';
import { DiscordApi, DiscordCallError } from './rest.js';
import { DISCORD_ALERT_TOPICS } from './settings.js';

const CHECK = 'channel discord';
const GRANT = "grant them to the bot's role in Server Settings → Roles, or in the channel's Permissions";

/** Whether the app may read message content: the privileged intent is on in the developer portal. */
export function messageContentGranted(flags: number | undefined): boolean {
  const f = flags ?? 0;
  return (f & (ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited)) !== 0;
}

export async function discordDoctorChecks(status: ChannelStatus, settings: SettingsOf<'discord'>, credentials: Secrets): Promise<ChannelCheck[]> {
  if (status.mode !== 'live') return [];
  const lines: ChannelCheck[] = [];
  if (!settings.announceChannelId && !settings.forumChannelId) {
    lines.push({ verdict: 'fail', check: `${CHECK} destination`, detail: 'no channel to post to: posts will fail', hint: 'set channels.discord.announceChannelId (DISCORD_ANNOUNCE_CHANNEL_ID), or forumChannelId for forum mode' });
  }
  const api = new DiscordApi({ baseUrl: settings.apiBaseUrl, token: credentials.discordBotToken ?? '', timeoutMs: Math.min(settings.requestTimeoutMs, 10_000) });
  let view: GuildView;
  let intentFlags: number | undefined;
  try {
    const me = await botUser(api);
    view = await guildView(api, settings.guildId, me.id);
    intentFlags = (await api.get<APIApplication>(Routes.currentApplication(), { what: 'read the application' })).flags;
    lines.push({ verdict: 'pass', check: `${CHECK} bot`, detail: `the token is accepted: bot ${me.username} (${me.id}) in server ${view.guild.name} (${view.guild.id})` });
  } catch (error) {
    const refused = error instanceof DiscordCallError && error.status === 401;
    const unknownGuild = error instanceof DiscordCallError && (error.code === 10004 || error.code === 50001 || error.code === 10007);
    lines.push({
      verdict: 'fail',
      check: `${CHECK} bot`,
      detail: refused ? 'Discord refused the bot token (401)' : unknownGuild ? `the bot is not in server ${settings.guildId}` : `could not ask Discord: ${(error as Error).message}`,
      hint: refused
        ? 'reset the token in the developer portal (Bot → Reset Token) and run `ontact channels connect discord`'
        : unknownGuild
          ? 'invite the bot with the link in the README (Discord section), or fix channels.discord.guildId'
          : `check that ${settings.apiBaseUrl} is reachable from this machine`,
    });
    return lines;
  }

  const inChannel = async (id: string, label: string, needs: readonly PermissionName[], expect: readonly number[]): Promise<APIChannel | null> => {
    try {
      const channel = await readChannel(api, id);
      if (!expect.includes(channel.type)) {
        lines.push({ verdict: 'fail', check: `${CHECK} ${label}`, detail: `channel ${id} is of type ${channel.type}, not ${expect.map(typeName).join(' or ')}`, hint: `set channels.discord.${label === 'forum' ? 'forumChannelId' : 'announceChannelId'} to the right channel` });
        return null;
      }
      const lacking = missing(await botPermissions(api, view, id), needs);
      lines.push(
        lacking.length === 0
          ? { verdict: 'pass', check: `${CHECK} ${label}`, detail: `#${'name' in channel ? channel.name : id} (${typeName(channel.type)}): the bot can ${needs.map(permissionLabel).join(', ')}` }
          : { verdict: 'fail', check: `${CHECK} ${label}`, detail: `#${'name' in channel ? channel.name : id}: the bot lacks ${lacking.map(permissionLabel).join(', ')}`, hint: GRANT },
      );
      return channel;
    } catch (error) {
      lines.push({ verdict: 'fail', check: `${CHECK} ${label}`, detail: error instanceof DiscordCallError && error.code === 50001 ? `the bot cannot see channel ${id}` : `channel ${id}: ${(error as Error).message}`, hint: `${GRANT} (View Channel first)` });
      return null;
    }
  };

  if (settings.announceChannelId) await inChannel(settings.announceChannelId, 'announcements', NEEDS.post, [ChannelType.GuildAnnouncement, ChannelType.GuildText]);
  if (settings.forumChannelId) {
    const forum = await inChannel(settings.forumChannelId, 'forum', [...NEEDS.forum, 'SendMessagesInThreads'], [ChannelType.GuildForum]);
    const tags = forum && 'available_tags' in forum && forum.available_tags ? forum.available_tags.map((t) => t.name) : null;
    if (tags) {
      const absent = DISCORD_ALERT_TOPICS.filter((t) => !tags.includes(t));
      if (absent.length > 0) lines.push({ verdict: 'warn', check: `${CHECK} forum tags`, detail: `the forum has no tag ${absent.join(', ')}: posts go without ${absent.length === 1 ? 'it' : 'them'}`, hint: 'add the tags in the forum\'s settings (Tags)' });
    }
  }
  const server = await botPermissions(api, view, null);
  if (settings.events) {
    const lacking = missing(server, NEEDS.events);
    lines.push(
      lacking.length === 0
        ? { verdict: 'pass', check: `${CHECK} events`, detail: 'the bot can make lectures into scheduled events' }
        : { verdict: 'warn', check: `${CHECK} events`, detail: `the bot lacks ${lacking.map(permissionLabel).join(', ')}: lectures are posted without their event`, hint: GRANT },
    );
  }
  const roles = Object.entries(settings.alertRoles) as [string, string][];
  if (roles.length > 0) {
    const lacking = missing(server, NEEDS.roles);
    const top = Math.max(0, ...view.member.roles.map((id) => view.guild.roles.find((r) => r.id === id)?.position ?? 0));
    const problems = roles.flatMap(([topic, id]) => {
      const role = view.guild.roles.find((r) => r.id === id);
      if (!role) return [`${topic} 알림: no role ${id}`];
      if (role.position >= top || role.managed) return [`${topic} 알림 (${role.name}) is not below the bot's own role`];
      return [];
    });
    lines.push(
      lacking.length === 0 && problems.length === 0
        ? { verdict: 'pass', check: `${CHECK} alert roles`, detail: `members can take ${roles.map(([t]) => `${t} 알림`).join(', ')} with /알림` }
        : { verdict: 'fail', check: `${CHECK} alert roles`, detail: [...(lacking.length ? [`the bot lacks ${lacking.map(permissionLabel).join(', ')}`] : []), ...problems].join('; '), hint: "grant Manage Roles and drag the bot's role above the alert roles (Server Settings → Roles)" },
    );
  }
  lines.push(
    messageContentGranted(intentFlags)
      ? { verdict: 'pass', check: `${CHECK} message content`, detail: 'the message-content intent is granted: questions in post threads are read' }
      : {
          verdict: 'warn',
          check: `${CHECK} message content`,
          detail: 'the privileged message-content intent is not granted: questions in post threads arrive without their text and are not taken in; direct messages, mentions of the bot and /문의 still work',
          hint: 'turn on Message Content Intent in the developer portal (Bot → Privileged Gateway Intents) and restart the gateway',
        },
  );
  return lines;
}

function typeName(type: number): string {
  return ({ [ChannelType.GuildText]: 'text channel', [ChannelType.GuildAnnouncement]: 'announcement channel', [ChannelType.GuildForum]: 'forum' } as Record<number, string>)[type] ?? `type ${type}`;
}
