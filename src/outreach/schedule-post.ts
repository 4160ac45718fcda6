import type { Kysely } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { nextSlot, slotsOnDay } from '../schedule/slots.js';
import { kstDayKey, startOfKstDay } from '../time/kst.js';

const DAY_MS = 24 * 60 * 60_000;

/**
 * The next publishing slot after `after` on which every one of `channels` is still under its
 * daily cap, counting automatic posts already scheduled or published on each KST day; null when
 * none is free within `posting.maxDaysAhead` days (a backlog should wait for staff, not be
 * scheduled months ahead).
 */
export async function nextFreeSlot(ctx: Pick<AppContext, 'config' | 'calendar'>, db: Kysely<Database>, channels: readonly ChannelName[], after: Date = new Date()): Promise<Date | null> {
  const horizon = new Date(after.getTime() + ctx.config.posting.maxDaysAhead * DAY_MS);
  const rows = await db
    .selectFrom('posts')
    .select(['scheduled_at', 'channels'])
    .where('scheduled_at', '>=', startOfKstDay(after))
    .where('scheduled_at', '<=', horizon)
    .where('status', 'not in', ['draft', 'cancelled'])
    .where('rule', 'is not', null)
    .execute();
  const perDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (!row.scheduled_at) continue;
    const day = kstDayKey(row.scheduled_at);
    const counts = perDay.get(day) ?? new Map<string, number>();
    for (const channel of row.channels) counts.set(channel, (counts.get(channel) ?? 0) + 1);
    perDay.set(day, counts);
  }
  const { dailyCap, slots } = ctx.config.posting;
  // One cap across the post's channels: the day is full once any of its channels is full.
  const fullness = (day: string) => Math.max(0, ...channels.map((c) => (perDay.get(day)?.get(c) ?? 0) / dailyCap[c]));
  const { calendar } = ctx;
  for (let cursor = after; ; ) {
    const slot = nextSlot(cursor, slots, calendar);
    if (slot > horizon) return null;
    const day = kstDayKey(slot);
    if (fullness(day) < 1) return slot;
    // The day is full: skip past its last slot.
    cursor = slotsOnDay(day, slots, calendar).at(-1) ?? slot;
  }
}

/** The next slot for a staff post: staff decide what goes out, so the automatic posts' daily cap does not bind them. */
export function nextSlotFor(ctx: Pick<AppContext, 'config' | 'calendar'>, after: Date = new Date()): Date {
  return nextSlot(after, ctx.config.posting.slots, ctx.calendar);
}
