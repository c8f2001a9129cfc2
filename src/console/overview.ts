import type { AuditRecord } from '../store/types.ts';
import type { SourceReport } from '../sources/upstream/admin.ts';

/** Checks in one bucket of time, by outcome ('refused' beside the verdicts) and by dialect. */
export interface Bucket {
  start: number;
  total: number;
  byOutcome: Record<string, number>;
  byDialect: Record<string, number>;
}

export interface Overview {
  at: number;
  /** Audit records read (the newest ones); `complete`: every record in the day series' span was among them. */
  read: number;
  complete: boolean;
  minutes: Bucket[];
  hours: Bucket[];
  days: Bucket[];
  /** The last 24 hours. */
  last24h: { checks: number; billed: number; refused: number; p50Ms: number | null; p99Ms: number | null; refusals: Record<string, number> };
  cost: { todayFen: number; monthFen: number; sources: Array<Pick<SourceReport, 'name' | 'state' | 'costTodayFen' | 'costMonthFen' | 'callsToday'>> };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** China's calendar day (UTC+8, no daylight saving): the day budgets, limits and invoices use. */
const SHANGHAI = 8 * HOUR;

const outcomeOf = (r: AuditRecord) => (r.refusal !== null ? 'refused' : (r.verdict ?? 'unknown'));

function series(count: number, width: number, now: number, offset = 0): Bucket[] {
  const last = Math.floor((now + offset) / width) * width - offset;
  return Array.from({ length: count }, (_, i) => ({ start: last - (count - 1 - i) * width, total: 0, byOutcome: {}, byDialect: {} }));
}

function add(buckets: Bucket[], width: number, r: AuditRecord): void {
  const first = buckets[0]!.start;
  const i = Math.floor((r.at - first) / width);
  const b = buckets[i];
  if (!b) return;
  b.total++;
  const outcome = outcomeOf(r);
  b.byOutcome[outcome] = (b.byOutcome[outcome] ?? 0) + 1;
  b.byDialect[r.dialect] = (b.byDialect[r.dialect] ?? 0) + 1;
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * The overview from the newest audit records (newest first, as the store answers): checks per minute
 * (last hour), per hour (last day) and per China day (last 30), latency and refusals of the last 24 hours,
 * and what the upstream sources cost (their ledger, every node).
 */
export function overview(records: readonly AuditRecord[], limit: number, sources: readonly SourceReport[], now: number): Overview {
  const minutes = series(60, MINUTE, now);
  const hours = series(24, HOUR, now);
  const days = series(30, DAY, now, SHANGHAI);
  const since = now - DAY;
  const latencies: number[] = [];
  const last24h: Overview['last24h'] = { checks: 0, billed: 0, refused: 0, p50Ms: null, p99Ms: null, refusals: {} };
  for (const r of records) {
    add(minutes, MINUTE, r);
    add(hours, HOUR, r);
    add(days, DAY, r);
    if (r.at < since || r.at > now) continue;
    last24h.checks++;
    if (r.billed) last24h.billed++;
    if (r.refusal !== null) {
      last24h.refused++;
      last24h.refusals[r.refusal] = (last24h.refusals[r.refusal] ?? 0) + 1;
    } else latencies.push(r.latencyMs);
  }
  latencies.sort((a, b) => a - b);
  last24h.p50Ms = quantile(latencies, 0.5);
  last24h.p99Ms = quantile(latencies, 0.99);
  const oldest = records.at(-1)?.at;
  return {
    at: now,
    read: records.length,
    complete: records.length < limit || (oldest !== undefined && oldest < days[0]!.start),
    minutes,
    hours,
    days,
    last24h,
    cost: {
      todayFen: sources.reduce((s, r) => s + r.costTodayFen, 0),
      monthFen: sources.reduce((s, r) => s + r.costMonthFen, 0),
      sources: sources.map(({ name, state, costTodayFen, costMonthFen, callsToday }) => ({ name, state, costTodayFen, costMonthFen, callsToday })),
    },
  };
}
