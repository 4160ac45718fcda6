import { sql } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import { nextSlotWithinCap } from '../schedule/slots.js';
import { kstDayKey, startOfKstDay } from '../time/kst.js';
import { holidayCalendar } from './calendar.js';

/**
 * The next publishing slot after `after` on which every one of `channels` is still under its
 * daily cap, counting posts already scheduled or published on each KST day.
 */
export async function nextSlotFor(ctx: AppContext, channels: readonly ChannelName[], after: Date = new Date()): Promise<Date> {
  const rows = await ctx.store.db
    .selectFrom('posts')
    .select(['scheduled_at', 'channels'])
    .where('scheduled_at', '>=', startOfKstDay(after))
    .where('status', 'not in', ['draft', 'cancelled'])
    .where(sql<boolean>`rule is not null`)
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
  return nextSlotWithinCap(after, slots, holidayCalendar(), { cap: 1, countOnDay: (day) => (fullness(day) >= 1 ? 1 : 0) });
}
