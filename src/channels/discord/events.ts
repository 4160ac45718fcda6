/**
 * A lecture's scheduled event in the server. Its description ends with the link to its post,
 * which is how Ontact finds it again (to update, cancel or count who is interested) without
 * keeping the event's id anywhere: the post's id is enough, and a retry after a lost answer
 * finds the event it already made instead of making a second one.
 */
import { Routes, type APIGuildScheduledEvent } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordEventPart } from './render.js';
import { hasCode, isGone, type DiscordApi, DiscordCallError } from './rest.js';
import { NEEDS } from './permissions.js';

/** Discord's scheduled-event statuses. */
export const EVENT_STATUS = { scheduled: 1, active: 2, completed: 3, canceled: 4 } as const;
const STATUS_NAMES: Record<number, string> = { 1: 'scheduled', 2: 'active', 3: 'completed', 4: 'cancelled' };

export function eventStatusName(status: number): string {
  return STATUS_NAMES[status] ?? `status ${status}`;
}

/** The post's address in Discord; in its event's description it ties the two together. */
export function postLink(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

const POST_LINK = /https:\/\/discord\.com\/channels\/(\d+)\/(\d+)\/(\d+)\s*$/;

/** The post (`<channel>/<message>`) an event was made for, from its description; null for other events. */
export function postOfEvent(event: Pick<APIGuildScheduledEvent, 'description'>, guildId: string): string | null {
  const match = POST_LINK.exec(event.description ?? '');
  return match && match[1] === guildId ? `${match[2]}/${match[3]}` : null;
}

const events = { what: "read the server's scheduled events" };

/** Scheduled and active events, with how many members are interested. */
export async function listEvents(api: DiscordApi, guildId: string): Promise<APIGuildScheduledEvent[]> {
  return api.get<APIGuildScheduledEvent[]>(Routes.guildScheduledEvents(guildId), events, { query: new URLSearchParams({ with_user_count: 'true' }) });
}

export async function findPostEvent(api: DiscordApi, guildId: string, link: string): Promise<APIGuildScheduledEvent | null> {
  return (await listEvents(api, guildId)).find((e) => (e.description ?? '').trimEnd().endsWith(link)) ?? null;
}

function body(part: DiscordEventPart, link: string, minutes: number) {
  const start = new Date(part.startsAt);
  const end = part.endsAt ? new Date(part.endsAt) : new Date(start.getTime() + minutes * 60_000);
  return {
    name: part.name,
    description: `${part.description}\n\n게시물 보기: ${link}`,
    scheduled_start_time: start.toISOString(),
    scheduled_end_time: end.toISOString(),
    entity_metadata: { location: part.location },
  };
}

export interface EventSync {
  api: DiscordApi;
  guildId: string;
  eventMinutes: number;
  log: Logger;
}

/**
 * Brings a post's event in line with the post: made while the post is open (not for a lecture
 * already under way or past), updated while it is scheduled, cancelled with the post. A closed
 * lecture (신청 마감) still takes place, so its event stays. Discord refusing the event (no
 * Manage Events, a start in the past) does not undo the post: it is logged, and doctor names
 * the missing permission; anything transient is thrown so the action runs again.
 */
export async function syncPostEvent(s: EventSync, link: string, part: DiscordEventPart | null, state: 'open' | 'closed' | 'cancelled'): Promise<void> {
  const context = { what: "create or update the lecture's event", needs: NEEDS.events };
  try {
    const existing = await findPostEvent(s.api, s.guildId, link);
    if (state === 'cancelled') {
      if (existing?.status === EVENT_STATUS.scheduled) await s.api.patch(Routes.guildScheduledEvent(s.guildId, existing.id), { status: EVENT_STATUS.canceled }, context);
      return;
    }
    if (!part) return;
    if (existing) {
      if (existing.status === EVENT_STATUS.scheduled) await s.api.patch(Routes.guildScheduledEvent(s.guildId, existing.id), body(part, link, s.eventMinutes), context);
      return;
    }
    if (state !== 'open') return;
    await s.api.post(Routes.guildScheduledEvents(s.guildId), { ...body(part, link, s.eventMinutes), privacy_level: 2, entity_type: 3 }, context);
  } catch (error) {
    if (!(error instanceof DiscordCallError) || error.rateLimit || error.status === null || error.status >= 500 || error.status === 401) throw error;
    if (/SCHEDULE_PAST/.test(error.message)) {
      s.log.info({ post: link }, 'discord: the lecture has started or passed; its event is left as it is');
      return;
    }
    s.log.warn({ post: link, code: error.code, reason: error.message }, "discord: the lecture's event could not be made or changed; the post itself is in place (see `ontact doctor`)");
  }
}

/** Removes a post's event with the post. */
export async function removePostEvent(s: EventSync, link: string): Promise<void> {
  const existing = await findPostEvent(s.api, s.guildId, link);
  if (!existing) return;
  try {
    await s.api.delete(Routes.guildScheduledEvent(s.guildId, existing.id), { what: "delete the lecture's event", needs: NEEDS.events });
  } catch (error) {
    if (!isGone(error) && !hasCode(error, 180000)) throw error;
  }
}
