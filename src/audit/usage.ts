import { dayOf } from '../core/calendar.ts';
import type { AppStore, AuditTrail, SourceStore } from '../store/types.ts';

/**
 * Usage metering, from the audit records themselves: a billed record is the very commit that took its
 * unit out of the app's quota (the lease is spent in the audit batch's transaction), so an invoice made
 * here and the quota can never disagree.
 */

export type UsageGrouping = 'day' | 'kind' | 'dialect' | 'source';

export interface UsageQuery {
  appid?: string;
  since: number;
  until: number;
  by?: UsageGrouping;
  /** What "a day" is (the timeZone setting). */
  timeZone: string;
}

export interface UsageCounts {
  /** Checks charged to the quota. */
  billed: number;
  /** Answers with a verdict that were not charged (invalid input, unavailable, a verdict the dialect does not bill). */
  unbilled: number;
  /** Requests the gate refused. */
  refused: number;
}

/** The group of records without that field: refused before a kind was read, or answered by no source. */
const NONE = '(none)';

export interface AppUsage extends UsageCounts {
  appid: string;
  name: string | null;
  /** The app's balance not yet billed (null: unlimited; undefined when the app no longer exists). */
  quotaRemaining: number | null;
  /** The app no longer exists (its records stay): then quotaRemaining is null too. */
  deleted?: true;
  groups?: ({ key: string } & UsageCounts)[];
}

export interface UpstreamUsage {
  source: string;
  calls: number;
  errors: number;
  billed: number;
  costFen: number;
}

export interface UsageReport {
  since: string;
  until: string;
  apps: AppUsage[];
  /** What each upstream source was asked and cost, by the ledger every node writes (all apps together). */
  upstream: UpstreamUsage[];
}

const zero = (): UsageCounts => ({ billed: 0, unbilled: 0, refused: 0 });
const add = (into: UsageCounts, from: UsageCounts) => {
  into.billed += from.billed;
  into.unbilled += from.unbilled;
  into.refused += from.refused;
};

export async function usageReport(deps: { trail: AuditTrail; apps: AppStore; sources: SourceStore }, query: UsageQuery): Promise<UsageReport> {
  const filter = { since: query.since, until: query.until, ...(query.appid !== undefined ? { appid: query.appid } : {}) };
  const tallies = await deps.trail.tally(filter);
  const perApp = new Map<string, { total: UsageCounts; groups: Map<string, UsageCounts> }>();
  for (const t of tallies) {
    // A request refused before its app was known (an unknown appid, a broken body) is no app's to pay.
    if (t.appid === null) continue;
    const entry = perApp.get(t.appid) ?? { total: zero(), groups: new Map() };
    const counts = { billed: Number(t.billed), unbilled: Number(t.unbilled), refused: Number(t.refused) };
    add(entry.total, counts);
    if (query.by) {
      const key = query.by === 'day' ? dayOf(t.slot, query.timeZone) : String((query.by === 'kind' ? t.kind : query.by === 'dialect' ? t.dialect : t.source) ?? NONE);
      const group = entry.groups.get(key) ?? zero();
      add(group, counts);
      entry.groups.set(key, group);
    }
    perApp.set(t.appid, entry);
  }
  const known = await deps.apps.list();
  const ids = new Set([...perApp.keys(), ...(query.appid !== undefined ? [query.appid] : known.map((a) => a.appid))]);
  const apps: AppUsage[] = [...ids].sort().map((appid) => {
    const app = known.find((a) => a.appid === appid);
    const entry = perApp.get(appid);
    return {
      appid,
      name: app?.name ?? null,
      ...(entry?.total ?? zero()),
      quotaRemaining: app ? app.quota : null,
      ...(app ? {} : { deleted: true as const }),
      ...(query.by ? { groups: [...(entry?.groups ?? new Map<string, UsageCounts>())].sort(([a], [b]) => a.localeCompare(b)).map(([key, c]) => ({ key, ...c })) } : {}),
    };
  });
  // The ledger counts by day in the service's zone: the days the period touches.
  const firstDay = dayOf(query.since, query.timeZone);
  const lastDay = dayOf(Math.max(query.since, query.until - 1), query.timeZone);
  const upstream = new Map<string, UpstreamUsage>();
  for (const row of await deps.sources.usage(firstDay, lastDay)) {
    const u = upstream.get(row.source) ?? { source: row.source, calls: 0, errors: 0, billed: 0, costFen: 0 };
    u.calls += row.calls;
    u.errors += row.errors;
    u.billed += row.billed;
    u.costFen += row.costFen;
    upstream.set(row.source, u);
  }
  return { since: new Date(query.since).toISOString(), until: new Date(query.until).toISOString(), apps, upstream: [...upstream.values()] };
}
