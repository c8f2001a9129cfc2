import { addDays, dayOf, startOfDay } from '../core/calendar.ts';
import type { SourceReport } from '../sources/upstream/admin.ts';
import type { AuditRecord, AuditTally } from '../store/types.ts';

/** Checks in one bucket of time, by outcome and by dialect. */
export interface Bucket {
  start: number;
  total: number;
  byOutcome: Record<string, number>;
  byDialect: Record<string, number>;
}

export interface Overview {
  at: number;
  /** Records of the last 24 hours read (newest first); `complete`: all of them were. */
  read: number;
  complete: boolean;
  /** Per minute and per hour by verdict ('refused' beside the verdicts); per day billed, unbilled and refused. */
  minutes: Bucket[];
  hours: Bucket[];
  days: Bucket[];
  last24h: { checks: number; billed: number; refused: number; p50Ms: number | null; p99Ms: number | null; refusals: Record<string, number> };
  cost: { todayFen: number; monthFen: number; sources: Array<Pick<SourceReport, 'name' | 'state' | 'costTodayFen' | 'costMonthFen' | 'callsToday'>> };
}

export interface OverviewInput {
  /** The last 24 hours' records, newest first, at most `limit` of them. */
  recent: readonly AuditRecord[];
  limit: number;
  /** The audit's tally (quarter-hour slots) of the last 30 days. */
  tally: readonly AuditTally[];
  sources: readonly SourceReport[];
  now: number;
  timeZone: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const DAYS = 30;

const outcomeOf = (r: AuditRecord) => (r.refusal !== null ? 'refused' : (r.verdict ?? 'unknown'));

function series(count: number, width: number, now: number): Bucket[] {
  const last = Math.floor(now / width) * width;
  return Array.from({ length: count }, (_, i) => ({ start: last - (count - 1 - i) * width, total: 0, byOutcome: {}, byDialect: {} }));
}

function count(b: Bucket | undefined, outcome: string, dialect: string, n: number): void {
  if (!b || n === 0) return;
  b.total += n;
  b.byOutcome[outcome] = (b.byOutcome[outcome] ?? 0) + n;
  b.byDialect[dialect] = (b.byDialect[dialect] ?? 0) + n;
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The first instant of the 30 days the day series shows (calendar days in the zone, today last). */
export function daysSince(now: number, timeZone: string): number {
  return startOfDay(addDays(dayOf(now, timeZone), -(DAYS - 1)), timeZone);
}

/**
 * The overview page: checks per minute (last hour) and per hour (last day) by verdict and dialect, from
 * the records themselves; per calendar day (last 30) billed, unbilled and refused, from the audit's tally
 * (the figures `realname usage` invoices by); latency and refusals of the last 24 hours; what the upstream
 * sources cost (their ledger, every node).
 */
export function overview(input: OverviewInput): Overview {
  const { recent, tally, now, timeZone } = input;
  const minutes = series(60, MINUTE, now);
  const hours = series(24, HOUR, now);
  const today = dayOf(now, timeZone);
  const dayStarts = Array.from({ length: DAYS }, (_, i) => addDays(today, i - (DAYS - 1)));
  const days: Bucket[] = dayStarts.map((d) => ({ start: startOfDay(d, timeZone), total: 0, byOutcome: {}, byDialect: {} }));
  const dayIndex = new Map(dayStarts.map((d, i) => [d, i]));
  const since = now - DAY;
  const latencies: number[] = [];
  const last24h: Overview['last24h'] = { checks: 0, billed: 0, refused: 0, p50Ms: null, p99Ms: null, refusals: {} };
  for (const r of recent) {
    if (r.at < since || r.at > now) continue;
    const outcome = outcomeOf(r);
    count(minutes[Math.floor((r.at - minutes[0]!.start) / MINUTE)], outcome, r.dialect, 1);
    count(hours[Math.floor((r.at - hours[0]!.start) / HOUR)], outcome, r.dialect, 1);
    last24h.checks++;
    if (r.billed) last24h.billed++;
    if (r.refusal !== null) {
      last24h.refused++;
      last24h.refusals[r.refusal] = (last24h.refusals[r.refusal] ?? 0) + 1;
    } else latencies.push(r.latencyMs);
  }
  for (const t of tally) {
    const b = days[dayIndex.get(dayOf(t.slot, timeZone)) ?? -1];
    count(b, 'billed', t.dialect, t.billed);
    count(b, 'unbilled', t.dialect, t.unbilled);
    count(b, 'refused', t.dialect, t.refused);
  }
  latencies.sort((a, b) => a - b);
  last24h.p50Ms = quantile(latencies, 0.5);
  last24h.p99Ms = quantile(latencies, 0.99);
  return {
    at: now,
    read: recent.length,
    complete: recent.length < input.limit,
    minutes,
    hours,
    days,
    last24h,
    cost: {
      todayFen: input.sources.reduce((s, r) => s + r.costTodayFen, 0),
      monthFen: input.sources.reduce((s, r) => s + r.costMonthFen, 0),
      sources: input.sources.map(({ name, state, costTodayFen, costMonthFen, callsToday }) => ({ name, state, costTodayFen, costMonthFen, callsToday })),
    },
  };
}
