import type { RouteHop, SourceRecord } from '../store/types.ts';
import type { SourceReport } from '../sources/upstream/admin.ts';

/** What `sources show`, `add` and `set` print with --json: the configuration, credential field names (never values), today's figures. */
export function sourceView(record: SourceRecord, credentials: string[], report: SourceReport | undefined) {
  return {
    name: record.name,
    type: record.type,
    endpoint: record.endpoint,
    kinds: report?.kinds ?? record.kinds,
    settings: record.settings,
    disabled: record.disabled,
    state: report?.state ?? (record.disabled ? 'disabled' : 'ok'),
    credentials,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    today: {
      calls: report?.callsToday ?? 0,
      errors: report?.errorsToday ?? 0,
      billed: report?.billedToday ?? 0,
      maybeBilled: report?.maybeBilledToday ?? 0,
      p50Ms: report?.p50Ms ?? null,
      p99Ms: report?.p99Ms ?? null,
      costFen: report?.costTodayFen ?? 0,
    },
    costMonthFen: report?.costMonthFen ?? 0,
  };
}

export type SourceView = ReturnType<typeof sourceView>;

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const ms = (v: number | null | undefined) => (v === undefined || v === null ? '-' : v === Infinity ? '>30s' : `≤${v}ms`);

/** A table with columns as wide as their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...row[i]!].length)));
  return rows.map((row) => row.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}

/** The `realname sources` table: one line per source, every node's figures for today and this month. */
export function renderReport(rows: SourceReport[]): string {
  if (rows.length === 0) return 'no upstream sources (add one with `realname sources add`)';
  return table([
    ['NAME', 'TYPE', 'STATE', 'CALLS', 'ERRORS', 'BILLED', 'MAYBE BILLED', 'P50', 'P99', 'COST TODAY', 'BUDGET/DAY', 'COST MONTH'],
    ...rows.map((r) => [
      r.name,
      r.type,
      r.state,
      String(r.callsToday),
      String(r.errorsToday),
      String(r.billedToday),
      String(r.maybeBilledToday),
      ms(r.p50Ms),
      ms(r.p99Ms),
      yuan(r.costTodayFen),
      r.dailyBudgetFen === null ? 'none' : yuan(r.dailyBudgetFen),
      yuan(r.costMonthFen),
    ]),
  ]);
}

/** `sources show`: the source in a few lines, its secrets as field names only. */
export function sourceText(v: SourceView): string {
  const s = v.settings;
  const lines = [`source ${v.name} (${v.type}) — ${v.state}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(12)} ${value}`);
  row('endpoint', `${v.endpoint}${s.insecure ? ' (--insecure)' : ''}`);
  row('kinds', v.kinds === null ? 'every kind it answers' : v.kinds.join(', '));
  row('credentials', `${v.credentials.join(', ')} (sealed)`);
  row('time limit', `${s.timeoutMs} ms; after a sent request goes unanswered: ${s.retryOnTimeout ? 'the next source is asked' : 'no other source is asked'}`);
  row('concurrency', String(s.concurrency));
  row('cost', `${yuan(s.costFen)} a billed call; budget ${s.dailyBudgetFen === null ? 'none' : `${yuan(s.dailyBudgetFen)} a day`}`);
  row('breaker', `opens after ${s.breakerFailures} failures in a row, probes after ${s.breakerProbeMs} ms`);
  const t = v.today;
  row('today', `${t.calls} calls, ${t.errors} errors, ${t.billed} billed, ${t.maybeBilled} possibly billed (sent, no answer); p50 ${ms(t.p50Ms)}, p99 ${ms(t.p99Ms)}`);
  row('cost', `${yuan(t.costFen)} today, ${yuan(v.costMonthFen)} this month (possibly billed calls included)`);
  row('created', v.createdAt);
  return lines.join('\n');
}

/** A route as `routes set` takes it: `registry:next,ali:answer`. */
export const routeText = (hops: readonly RouteHop[]) => (hops.length === 0 ? '(no source: its checks are answered unavailable)' : hops.map((h) => `${h.source}:${h.notFound}`).join(','));

/** `routes list`: the configured routes, then the kinds that take the default. */
export function routesText(configured: Record<string, RouteHop[]>, defaults: [string, RouteHop[]][]): string {
  const rows = [
    ...Object.entries(configured).map(([kind, hops]) => [kind, routeText(hops)]),
    ...defaults.map(([kind, hops]) => [kind, `default: ${routeText(hops)}`]),
  ];
  return rows.length === 0 ? 'no check kinds' : table(rows);
}
