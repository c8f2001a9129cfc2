import type { RouteHop, SourceRecord, SourceSettings, UsageDelta, UsageRow } from './types.ts';

/** Row ↔ record mapping shared by the SQL backends (JSON decoded, booleans real, as PostgreSQL returns them). */
export interface SourceDbRow {
  name: string;
  type: string;
  endpoint: string;
  kinds: string[] | null;
  settings: SourceSettings;
  credentials_sealed: string;
  disabled: boolean;
  created_at: number;
  updated_at: number;
}

export const sourceFromRow = (r: SourceDbRow): SourceRecord => ({
  name: r.name,
  type: r.type,
  endpoint: r.endpoint,
  kinds: r.kinds,
  settings: r.settings,
  credentialsSealed: r.credentials_sealed,
  disabled: r.disabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The columns a patch may set, by field. */
export const SOURCE_PATCH_COLUMNS = {
  endpoint: 'endpoint',
  kinds: 'kinds',
  settings: 'settings',
  credentialsSealed: 'credentials_sealed',
  disabled: 'disabled',
  updatedAt: 'updated_at',
} as const;

export interface UsageDbRow {
  source: string;
  day: string;
  calls: number;
  errors: number;
  billed: number;
  maybe_billed: number;
  cost_fen: number;
  open_until: number;
}

/** Usage rows with their latency buckets folded in. */
export function usageFromRows(rows: UsageDbRow[], buckets: { source: string; day: string; bucket: number; n: number }[]): UsageRow[] {
  const byKey = new Map<string, UsageRow>();
  for (const r of rows) {
    byKey.set(`${r.source}\n${r.day}`, {
      source: r.source,
      day: r.day,
      calls: r.calls,
      errors: r.errors,
      billed: r.billed,
      maybeBilled: r.maybe_billed,
      costFen: r.cost_fen,
      latency: {},
      openUntil: r.open_until,
    });
  }
  for (const b of buckets) {
    const row = byKey.get(`${b.source}\n${b.day}`);
    if (row) row.latency[b.bucket] = b.n;
  }
  return [...byKey.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** Each delta's latency buckets as rows. */
export const latencyRows = (d: UsageDelta): [number, number][] =>
  Object.entries(d.latency)
    .map(([bucket, n]): [number, number] => [Number(bucket), n])
    .filter(([, n]) => n > 0);

export function checkHops(hops: RouteHop[]): RouteHop[] {
  return hops.map((h) => ({ source: h.source, notFound: h.notFound }));
}
