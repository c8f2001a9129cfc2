/**
 * Calendar days in a time zone (the `timeZone` setting, default Asia/Shanghai): what "a day" means for
 * retention, usage, daily limits and budgets. Days are YYYY-MM-DD strings; a day's bounds are ms.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the zone (an IANA name such as Asia/Shanghai, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

function parts(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, m: out.month!, d: out.day!, h: out.hour!, min: out.minute!, s: out.second! };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const p = parts(ms, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The calendar day of `ms` in the zone. */
export function dayOf(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone);
  return `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
}

/** When a day (YYYY-MM-DD) starts in the zone, ms since the epoch. */
export function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // Twice: the offset at the first guess may differ from the offset at midnight (a DST change that day).
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** A month (YYYY-MM) as its bounds in the zone: [since, until). */
export function monthBounds(month: string, timeZone: string): { since: number; until: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${pad(y + 1, 4)}-01-01` : `${pad(y, 4)}-${pad(m + 1)}-01`;
  return { since: startOfDay(`${month}-01`, timeZone), until: startOfDay(next, timeZone) };
}

/**
 * `dayOf` for one zone, for hot paths (daily limits, the upstream ledger): the current day's bounds are
 * kept, so a call within them is two comparisons, not a date format.
 */
export function calendarDay(timeZone: string): (ms: number) => string {
  let from = Infinity;
  let until = -Infinity;
  let day = '';
  return (ms) => {
    if (ms < from || ms >= until) {
      day = dayOf(ms, timeZone);
      from = startOfDay(day, timeZone);
      until = startOfDay(addDays(day, 1), timeZone);
    }
    return day;
  };
}
