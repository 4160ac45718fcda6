import type { Kysely } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { nextSlot, slotsOnDay } from '../schedule/slots.js';
import { kstDayKey, startOfKstDay } from '../time/kst.js';

const DAY_MS = 24 * 60 * 60_000;

/**
 * The automatic posts already on the calendar, per KST day and channel, from `after` to
 * `posting.maxDaysAhead` days on: read once, then `take` books slots one after another, so a
 * batch of new items is planned with one query.
 */
export class SlotBook {
  private constructor(
    private readonly ctx: Pick<AppContext, 'config' | 'calendar'>,
    private readonly after: Date,
    private readonly perDay: Map<string, Map<string, number>>,
  ) {}

  static async load(ctx: Pick<AppContext, 'config' | 'calendar'>, db: Kysely<Database>, after: Date): Promise<SlotBook> {
    const rows = await db
      .selectFrom('posts')
      .select(['scheduled_at', 'channels'])
      .where('scheduled_at', '>=', startOfKstDay(after))
      .where('scheduled_at', '<=', horizonOf(ctx, after))
      .where('status', 'not in', ['draft', 'cancelled'])
      .where('rule', 'is not', null)
      .execute();
    const perDay = new Map<string, Map<string, number>>();
    for (const row of rows) if (row.scheduled_at) count(perDay, kstDayKey(row.scheduled_at), row.channels);
    return new SlotBook(ctx, after, perDay);
  }

  /**
   * The next slot on which every one of `channels` is still under its daily cap, booked for
   * them; null when none is free within the horizon (a backlog should wait for staff, not be
   * scheduled months ahead).
   */
  take(channels: readonly ChannelName[]): Date | null {
    const { dailyCap, slots } = this.ctx.config.posting;
    const horizon = horizonOf(this.ctx, this.after);
    // One cap across the post's channels: the day is full once any of its channels is full.
    const fullness = (day: string) => Math.max(0, ...channels.map((c) => (this.perDay.get(day)?.get(c) ?? 0) / dailyCap[c]));
    const { calendar } = this.ctx;
    for (let cursor = this.after; ; ) {
      const slot = nextSlot(cursor, slots, calendar);
      if (slot > horizon) return null;
      const day = kstDayKey(slot);
      if (fullness(day) < 1) {
        count(this.perDay, day, channels);
        return slot;
      }
      // The day is full: skip past its last slot.
      cursor = slotsOnDay(day, slots, calendar).at(-1) ?? slot;
    }
  }
}

function horizonOf(ctx: Pick<AppContext, 'config'>, after: Date): Date {
  return new Date(after.getTime() + ctx.config.posting.maxDaysAhead * DAY_MS);
}

function count(perDay: Map<string, Map<string, number>>, day: string, channels: readonly string[]): void {
  const counts = perDay.get(day) ?? new Map<string, number>();
  for (const channel of channels) counts.set(channel, (counts.get(channel) ?? 0) + 1);
  perDay.set(day, counts);
}

/** One slot, as `SlotBook.take` finds it. */
export async function nextFreeSlot(ctx: Pick<AppContext, 'config' | 'calendar'>, db: Kysely<Database>, channels: readonly ChannelName[], after: Date = new Date()): Promise<Date | null> {
  return (await SlotBook.load(ctx, db, after)).take(channels);
}

/** The next slot for a staff post: staff decide what goes out, so the automatic posts' daily cap does not bind them. */
export function nextSlotFor(ctx: Pick<AppContext, 'config' | 'calendar'>, after: Date = new Date()): Date {
  return nextSlot(after, ctx.config.posting.slots, ctx.calendar);
}
