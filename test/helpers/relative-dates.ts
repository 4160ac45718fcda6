/**
 * Fixtures carry fixed dates (a listing that closes on 2026-12-19), so a test that imports one
 * through a process it cannot pass `now` to (the CLI) would turn red once the calendar passes
 * them. This moves every date inside the date elements of a 고용24 response by whole weeks, so
 * the fixture reads as if fetched on the run's own day and weekdays stay weekdays.
 */
const DAY_MS = 24 * 60 * 60_000;

/** The day the 고용24 fixtures were "fetched": every listing in them is open on it. */
export const WORK24_FIXTURE_DAY = new Date('2026-11-27T00:00:00+09:00');

/** How many whole weeks to move a fixture fetched on `fixtureDay` so it reads as fetched within the week from `runDay`. */
export function weeksToReach(fixtureDay: Date, runDay: Date): number {
  return Math.max(0, Math.ceil((runDay.getTime() - fixtureDay.getTime()) / (7 * DAY_MS)));
}

function shiftYmd(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day) + days * DAY_MS);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Moves the dates in `<…Dt>`, `<…Dtm>` and `<…Date>` elements by `weeks` weeks (YY-MM-DD, YYYY-MM-DD, YYYYMMDD[HHmm]). */
export function shiftWork24Dates(xml: string, weeks: number): string {
  const days = weeks * 7;
  if (days === 0) return xml;
  return xml.replace(/<(\w*(?:Dt|Dtm|Date))>([^<]*)<\/\1>/g, (_whole, tag: string, value: string) => {
    const shifted = value
      .replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (_m, y: string, m: string, d: string) => {
        const [yy, mm, dd] = shiftYmd(Number(y), Number(m), Number(d), days);
        return `${yy}-${pad(mm)}-${pad(dd)}`;
      })
      .replace(/(^|[^\d-])(\d{2})-(\d{2})-(\d{2})\b/g, (_m, before: string, y: string, m: string, d: string) => {
        const [yy, mm, dd] = shiftYmd(2000 + Number(y), Number(m), Number(d), days);
        return `${before}${pad(yy % 100)}-${pad(mm)}-${pad(dd)}`;
      })
      .replace(/^(\d{4})(\d{2})(\d{2})(\d{4})?$/, (_m, y: string, m: string, d: string, time: string | undefined) => {
        const [yy, mm, dd] = shiftYmd(Number(y), Number(m), Number(d), days);
        return `${yy}${pad(mm)}${pad(dd)}${time ?? ''}`;
      });
    return `<${tag}>${shifted}</${tag}>`;
  });
}
