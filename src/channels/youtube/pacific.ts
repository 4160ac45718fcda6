/**
 * YouTube's quota day is the calendar day in America/Los_Angeles: it turns at midnight Pacific
 * Time, 07:00 UTC in summer (PDT) and 08:00 UTC in winter (PST). The host's own time zone plays
 * no part; the IANA rules in Node's Intl decide daylight saving.
 */
const PACIFIC = 'America/Los_Angeles';
const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: PACIFIC, year: 'numeric', month: '2-digit', day: '2-digit' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: PACIFIC, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const HOUR_MS = 3600_000;

/** The Pacific calendar day (YYYY-MM-DD) an instant counts against. */
export function pacificDay(at: Date): string {
  return dayFormat.format(at);
}

/** The first instant of the next Pacific day: when today's quota is replaced by a fresh one. */
export function nextPacificMidnight(at: Date): Date {
  const [y, m, d] = pacificDay(at).split('-').map(Number) as [number, number, number];
  const nextUtcMidnight = Date.UTC(y, m - 1, d + 1);
  // Midnight Pacific is 07:00 UTC under PDT and 08:00 UTC under PST; exactly one of them reads 00:00 there.
  for (const offsetHours of [7, 8]) {
    const candidate = new Date(nextUtcMidnight + offsetHours * HOUR_MS);
    if (timeFormat.format(candidate) === '00:00') return candidate;
  }
  throw new Error(`no Pacific midnight found after ${at.toISOString()}`);
}
