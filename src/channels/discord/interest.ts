/**
 * How many members are interested in a lecture's event, read back from Discord and kept with the
 * post's delivery (`delivery_platform_data`), so `posts show` and the console can say it. The
 * gateway refreshes an event as members mark or unmark it; a job every ten minutes reads every
 * event again, catching what a gateway that was down missed.
 */
import { Routes, type APIGuildScheduledEvent } from 'discord.js';
import { sql } from 'kysely';
import type { Store } from '../../store/store.js';
import { ChannelError } from '../channel.js';
import type { JobDeps } from '../module.js';
import { eventStatusName, listEvents, postOfEvent } from './events.js';
import type { EventFacts } from './notes.js';
import { DiscordApi, toChannelError } from './rest.js';

export function eventFacts(event: APIGuildScheduledEvent, at: Date): EventFacts {
  return {
    id: event.id,
    status: eventStatusName(event.status),
    interested: typeof event.user_count === 'number' ? event.user_count : null,
    startsAt: new Date(event.scheduled_start_time).toISOString(),
    endsAt: event.scheduled_end_time ? new Date(event.scheduled_end_time).toISOString() : null,
    location: event.entity_metadata?.location ?? null,
    checkedAt: at.toISOString(),
  };
}

/** Keeps what Discord says about a post's event with the post's delivery; returns how many deliveries it matched. */
export async function recordEventFacts(store: Pick<Store, 'db'>, platformId: string, facts: EventFacts): Promise<number> {
  const { rows } = await sql<{ delivery_id: number }>`
    insert into delivery_platform_data (delivery_id, channel, data, updated_at)
    select id, 'discord', jsonb_build_object('event', ${JSON.stringify(facts)}::jsonb), now()
    from deliveries where channel = 'discord' and platform_id = ${platformId}
    on conflict (delivery_id) do update set data = delivery_platform_data.data || excluded.data, updated_at = now()
    returning delivery_id`.execute(store.db);
  return rows.length;
}

/** Reads one event (with its interested count) and records it; an event not made for a post is ignored. */
export async function refreshEvent(api: DiscordApi, store: Pick<Store, 'db'>, guildId: string, eventId: string, at: Date = new Date()): Promise<void> {
  const event = await api.get<APIGuildScheduledEvent>(Routes.guildScheduledEvent(guildId, eventId), { what: `read scheduled event ${eventId}` }, { query: new URLSearchParams({ with_user_count: 'true' }) });
  const post = postOfEvent(event, guildId);
  if (post) await recordEventFacts(store, post, eventFacts(event, at));
}

export interface InterestSummary {
  events: number;
  recorded: number;
  skipped?: string;
}

/** The repeating job: every scheduled or active event of a post, read and recorded. Honours a paused channel. */
export async function refreshInterest(deps: JobDeps<'discord'>): Promise<InterestSummary> {
  const pause = await deps.pauses.check('discord');
  if (pause) return { events: 0, recorded: 0, skipped: pause.reason };
  const { settings } = deps;
  if (!settings.guildId) return { events: 0, recorded: 0, skipped: 'channels.discord.guildId is not set' };
  const api = new DiscordApi({ baseUrl: settings.apiBaseUrl, token: (await deps.credentials()).discordBotToken ?? '', timeoutMs: settings.requestTimeoutMs });
  try {
    const at = new Date();
    const events = await listEvents(api, settings.guildId);
    let recorded = 0;
    for (const event of events) {
      const post = postOfEvent(event, settings.guildId);
      if (post) recorded += await recordEventFacts(deps.store, post, eventFacts(event, at));
    }
    return { events: events.length, recorded };
  } catch (error) {
    const failure = await toChannelError(error);
    if (failure instanceof ChannelError && failure.kind === 'throttled') {
      await deps.pauses.pause('discord', 'throttled', failure.message, new Date(Date.now() + (failure.retryAfterMs ?? 60_000)));
      return { events: 0, recorded: 0, skipped: failure.message };
    }
    if (failure instanceof ChannelError && failure.kind === 'unauthorised') {
      await deps.pauses.pause('discord', 'needs_reauth', failure.message, null);
      return { events: 0, recorded: 0, skipped: failure.message };
    }
    throw failure;
  }
}
