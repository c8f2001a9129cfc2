import type Database from 'better-sqlite3';
import { latencyRows, SOURCE_PATCH_COLUMNS, sourceFromRow, type SourceDbRow, usageFromRows, type UsageDbRow } from '../source-rows.ts';
import type { SourceRecord, SourceStore } from '../types.ts';

/** SQLite keeps kinds and settings as JSON text and `disabled` as 0/1. */
type Row = Omit<SourceDbRow, 'kinds' | 'settings' | 'disabled'> & { kinds: string | null; settings: string; disabled: number };

const toRecord = (r: Row): SourceRecord =>
  sourceFromRow({ ...r, kinds: r.kinds === null ? null : JSON.parse(r.kinds), settings: JSON.parse(r.settings), disabled: r.disabled === 1 });

const encode = (field: string, value: unknown): unknown =>
  field === 'kinds' || field === 'settings' ? (value === null ? null : JSON.stringify(value)) : field === 'disabled' ? (value ? 1 : 0) : value;

export function sqliteSources(db: Database.Database): SourceStore {
  const insert = db.prepare(
    `INSERT INTO sources (name, type, endpoint, kinds, settings, credentials_sealed, disabled, created_at, updated_at)
     VALUES (@name, @type, @endpoint, @kinds, @settings, @credentialsSealed, @disabled, @createdAt, @updatedAt)`,
  );
  const select = db.prepare('SELECT * FROM sources WHERE name = ?');
  const selectAll = db.prepare('SELECT * FROM sources ORDER BY created_at, name');
  const remove = db.prepare('DELETE FROM sources WHERE name = ?');
  const patchField = Object.fromEntries(
    Object.entries(SOURCE_PATCH_COLUMNS).map(([field, column]) => [field, db.prepare(`UPDATE sources SET ${column} = ? WHERE name = ?`)]),
  );
  const putRoute = db.prepare('INSERT INTO source_routes (kind, hops) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET hops = excluded.hops');
  const dropRoute = db.prepare('DELETE FROM source_routes WHERE kind = ?');
  const selectRoutes = db.prepare('SELECT kind, hops FROM source_routes ORDER BY kind');
  const addCounts = db.prepare(
    `INSERT INTO source_usage (source, day, calls, errors, billed, maybe_billed, cost_fen, open_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source, day) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors,
       billed = billed + excluded.billed, maybe_billed = maybe_billed + excluded.maybe_billed, cost_fen = cost_fen + excluded.cost_fen, open_until = max(open_until, excluded.open_until)`,
  );
  const addBucket = db.prepare(
    `INSERT INTO source_latency (source, day, bucket, n) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, day, bucket) DO UPDATE SET n = n + excluded.n`,
  );
  const selectUsage = db.prepare('SELECT * FROM source_usage WHERE day >= ? AND day <= ?');
  const putPurge = db.prepare('INSERT INTO cache_purges (scope, at) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET at = max(at, excluded.at)');
  const selectPurges = db.prepare('SELECT scope, at FROM cache_purges');
  const selectBuckets = db.prepare('SELECT source, day, bucket, n FROM source_latency WHERE day >= ? AND day <= ?');

  const update = db.transaction((name: string, patch: Record<string, unknown>) => {
    if (!select.get(name)) return undefined;
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const stmt = patchField[field];
      if (!stmt) throw new Error(`Unknown source field ${field}`);
      stmt.run(encode(field, value), name);
    }
    return toRecord(select.get(name) as Row);
  });
  const addUsage = db.transaction((deltas: Parameters<SourceStore['addUsage']>[0]) => {
    for (const d of deltas) {
      addCounts.run(d.source, d.day, d.calls, d.errors, d.billed, d.maybeBilled, d.costFen, d.openUntil);
      for (const [bucket, n] of latencyRows(d)) addBucket.run(d.source, d.day, bucket, n);
    }
  });

  return {
    async create(r) {
      insert.run({ ...r, kinds: encode('kinds', r.kinds), settings: encode('settings', r.settings), disabled: encode('disabled', r.disabled) });
    },
    async get(name) {
      const r = select.get(name) as Row | undefined;
      return r && toRecord(r);
    },
    async list() {
      return (selectAll.all() as Row[]).map(toRecord);
    },
    async update(name, patch) {
      return update.immediate(name, patch);
    },
    async remove(name) {
      return remove.run(name).changes > 0;
    },
    async setRoute(kind, hops) {
      if (hops === null) dropRoute.run(kind);
      else putRoute.run(kind, JSON.stringify(hops));
    },
    async routes() {
      return Object.fromEntries((selectRoutes.all() as { kind: string; hops: string }[]).map((r) => [r.kind, JSON.parse(r.hops)]));
    },
    async addUsage(deltas) {
      if (deltas.length > 0) addUsage.immediate(deltas);
    },
    async usage(fromDay, toDay) {
      return usageFromRows(selectUsage.all(fromDay, toDay) as UsageDbRow[], selectBuckets.all(fromDay, toDay) as never);
    },
    async notePurge(scope, at) {
      putPurge.run(scope, at);
    },
    async purges() {
      return Object.fromEntries((selectPurges.all() as { scope: string; at: number }[]).map((r) => [r.scope, r.at]));
    },
  };
}
