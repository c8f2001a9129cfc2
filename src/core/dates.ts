/** Calendar arithmetic on YYYYMMDD integers: no Date objects on the validation path. */

const MS_PER_DAY = 86_400_000;
/** "Today" is always a present-day instant, and China has kept UTC+8 without DST since 1992. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The last day shanghaiToday converted: every check of a day asks for the same one. */
let lastDay = NaN;
let lastYmd = NaN;

/** Today in Asia/Shanghai as YYYYMMDD. */
export function shanghaiToday(now: Date): number {
  const day = Math.floor((now.getTime() + SHANGHAI_OFFSET_MS) / MS_PER_DAY);
  if (day !== lastDay) {
    lastYmd = ymdFromDays(day);
    lastDay = day;
  }
  return lastYmd;
}

/** Days since 1970-01-01 → YYYYMMDD (H. Hinnant's public-domain civil_from_days). */
export function ymdFromDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10_000 + m * 100 + d;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function isRealDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Whole years from birth to today (both YYYYMMDD). */
export function ageOn(birth: number, today: number): number {
  return Math.floor(today / 10_000) - Math.floor(birth / 10_000) - (today % 10_000 < birth % 10_000 ? 1 : 0);
}

/**
 * Formatted dates of the years 1800–2199 (birth dates), per year a slot per month and day, filled on
 * first use: a birth date is formatted once per process, not once per check. At most 400 × 372 strings.
 */
const CACHED_YEARS = { from: 1800, to: 2199 } as const;
const formattedByYear: ((string | undefined)[] | undefined)[] = new Array<undefined>(CACHED_YEARS.to - CACHED_YEARS.from + 1).fill(undefined);

function formatUncached(ymd: number): string {
  const s = String(ymd).padStart(8, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** YYYYMMDD → "YYYY-MM-DD". */
export function formatYmd(ymd: number): string {
  const y = Math.floor(ymd / 10_000);
  const m = Math.floor(ymd / 100) % 100;
  const d = ymd % 100;
  if (!Number.isInteger(ymd) || y < CACHED_YEARS.from || y > CACHED_YEARS.to || m < 1 || m > 12 || d < 1 || d > 31) {
    return formatUncached(ymd);
  }
  const year = (formattedByYear[y - CACHED_YEARS.from] ??= new Array<string | undefined>(12 * 31).fill(undefined));
  const slot = (m - 1) * 31 + d - 1;
  // `=== undefined`, not truthiness: that would read the string itself, a likely cache miss.
  return year[slot] ?? (year[slot] = formatUncached(ymd));
}
