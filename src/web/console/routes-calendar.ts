/**
 * 일정: a week or a month in KST, public holidays and posting slots marked, each post at its time
 * with its channels. Posts are moved by their reschedule form, or dragged onto another day or
 * slot where JavaScript runs (the script posts the same form).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { kstDate, kstDayKey, kstParts } from '../../time/kst.js';
import { dayKey } from './forms.js';
import { dayLabel, kstTime } from './labels.js';
import { renderPage } from './render.js';
import { view, type PostLine } from './routes-home.js';
import { call } from './session.js';

interface CalendarDay {
  day: string;
  weekday: number;
  holiday: string | null;
  workingDay: boolean;
  slots: string[];
  posts: PostLine[];
  more: number;
}

const DAY_MS = 86_400_000;
/** Posts a month grid's day shows before "외 N건". */
const MONTH_PER_DAY = 4;

function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return kstDayKey(new Date(kstDate(y, m, d, 12).getTime() + n * DAY_MS));
}

/** The Monday of the week holding `day` (weeks run Monday to Sunday, as in Korean office calendars). */
function mondayOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** One day's timeline: its slots and its posts in time order, a post at a slot's time under that slot. */
function timeline(day: CalendarDay) {
  const times = new Set([...day.slots.map(kstTime), ...day.posts.map((p) => kstTime(p.scheduledAt))]);
  return [...times].sort().map((time) => ({ time, slot: day.slots.some((s) => kstTime(s) === time), posts: day.posts.filter((p) => kstTime(p.scheduledAt) === time) }));
}

export function calendarRoutes(pages: FastifyInstance, ctx: AppContext): void {
  pages.get('/calendar', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const today = kstDayKey(new Date());
    const mode = query.view === 'month' ? 'month' : 'week';
    const showCancelled = query.cancelled === '1';
    if (mode === 'month') {
      const m = /^(\d{4})-(\d{2})$/.exec(query.month ?? '');
      const year = m ? Number(m[1]) : kstParts(new Date()).year;
      const month = m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? Number(m[2]) : kstParts(new Date()).month;
      const first = `${year}-${String(month).padStart(2, '0')}-01`;
      const start = mondayOf(first);
      const last = kstDayKey(new Date(kstDate(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1).getTime() - DAY_MS));
      const end = addDays(mondayOf(last), 6);
      const days = Math.round((kstDate(...(end.split('-').map(Number) as [number, number, number])).getTime() - kstDate(...(start.split('-').map(Number) as [number, number, number])).getTime()) / DAY_MS) + 1;
      const result = await call<{ days: CalendarDay[]; truncated: boolean }>(ctx, request, 'console.calendar', { from: start, days, perDay: MONTH_PER_DAY, ...(showCancelled ? { cancelled: true } : {}) });
      const weeks: (CalendarDay & { inMonth: boolean; today: boolean })[][] = [];
      result.days.forEach((d, i) => {
        if (i % 7 === 0) weeks.push([]);
        weeks[weeks.length - 1]!.push({ ...d, inMonth: d.day.slice(0, 7) === first.slice(0, 7), today: d.day === today });
      });
      const prev = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
      const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
      return renderPage(
        request,
        reply,
        'pages/calendar-month',
        { title: `일정 · ${year}년 ${month}월`, heading: `${year}년 ${month}월`, weeks, truncated: result.truncated, prev, next, month: first.slice(0, 7), showCancelled, todayMonth: today.slice(0, 7) },
        view(request),
      );
    }
    const anchor = (query.week && dayKey(query.week)) || today;
    const start = mondayOf(anchor);
    const result = await call<{ days: CalendarDay[]; truncated: boolean }>(ctx, request, 'console.calendar', { from: start, days: 7, ...(showCancelled ? { cancelled: true } : {}) });
    const days = result.days.map((d) => ({ ...d, today: d.day === today, timeline: timeline(d) }));
    const end = addDays(start, 6);
    return renderPage(
      request,
      reply,
      'pages/calendar-week',
      {
        title: `일정 · ${dayLabel(start, true)} 주`,
        heading: `${dayLabel(start, true)} ~ ${dayLabel(end)}`,
        days,
        truncated: result.truncated,
        prev: addDays(start, -7),
        next: addDays(start, 7),
        week: start,
        month: start.slice(0, 7),
        showCancelled,
        isThisWeek: start === mondayOf(today),
      },
      view(request),
    );
  });
}
