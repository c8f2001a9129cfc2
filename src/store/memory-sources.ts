import type { RouteHop, SourceRecord, SourceStore, UsageRow } from './types.ts';

const copy = (r: SourceRecord): SourceRecord => structuredClone(r);

/** The sources, routes and usage of a memory store. */
export function memorySources(): SourceStore {
  const sources = new Map<string, SourceRecord>();
  const routes = new Map<string, RouteHop[]>();
  const usage = new Map<string, UsageRow>();
  const purges = new Map<string, number>();
  return {
    async create(record) {
      if (sources.has(record.name)) throw new Error(`source ${record.name} already exists`);
      sources.set(record.name, copy(record));
    },
    async get(name) {
      const r = sources.get(name);
      return r && copy(r);
    },
    async list() {
      return [...sources.values()].sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1)).map(copy);
    },
    async update(name, patch) {
      const r = sources.get(name);
      if (!r) return undefined;
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = structuredClone(v);
      return copy(r);
    },
    async remove(name) {
      return sources.delete(name);
    },
    async setRoute(kind, hops) {
      if (hops === null) routes.delete(kind);
      else routes.set(kind, structuredClone(hops));
    },
    async routes() {
      return Object.fromEntries([...routes].map(([k, v]) => [k, structuredClone(v)]));
    },
    async addUsage(deltas) {
      for (const d of deltas) {
        const key = `${d.source}\n${d.day}`;
        let row = usage.get(key);
        if (!row) usage.set(key, (row = { source: d.source, day: d.day, calls: 0, errors: 0, billed: 0, maybeBilled: 0, costFen: 0, latency: {}, openUntil: 0 }));
        row.calls += d.calls;
        row.errors += d.errors;
        row.billed += d.billed;
        row.maybeBilled += d.maybeBilled;
        row.costFen += d.costFen;
        row.openUntil = Math.max(row.openUntil, d.openUntil);
        for (const [bucket, n] of Object.entries(d.latency)) row.latency[Number(bucket)] = (row.latency[Number(bucket)] ?? 0) + n;
      }
    },
    async usage(fromDay, toDay) {
      return [...usage.values()]
        .filter((r) => r.day >= fromDay && r.day <= toDay)
        .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.source < b.source ? -1 : 1))
        .map((r) => structuredClone(r));
    },
    async notePurge(scope, at) {
      purges.set(scope, Math.max(at, purges.get(scope) ?? 0));
    },
    async purges() {
      return Object.fromEntries(purges);
    },
  };
}
