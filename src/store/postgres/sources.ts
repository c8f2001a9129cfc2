import { latencyRows, SOURCE_PATCH_COLUMNS, sourceFromRow, type SourceDbRow, usageFromRows, type UsageDbRow } from '../source-rows.ts';
import type { SourceStore } from '../types.ts';
import type { Db } from './db.ts';

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

export function postgresSources(db: Db): SourceStore {
  const get = async (name: string) => {
    const { rows } = await db.query<SourceDbRow>('SELECT * FROM sources WHERE name = $1', [name]);
    return rows[0] && sourceFromRow(rows[0]);
  };
  return {
    async create(r) {
      await db.query(
        `INSERT INTO sources (name, type, endpoint, kinds, settings, credentials_sealed, disabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [r.name, r.type, r.endpoint, json(r.kinds), json(r.settings), r.credentialsSealed, r.disabled, r.createdAt, r.updatedAt],
      );
    },
    get,
    async list() {
      const { rows } = await db.query<SourceDbRow>('SELECT * FROM sources ORDER BY created_at, name COLLATE "C"');
      return rows.map(sourceFromRow);
    },
    async update(name, patch) {
      const values: unknown[] = [name];
      const sets: string[] = [];
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        const column = SOURCE_PATCH_COLUMNS[field as keyof typeof SOURCE_PATCH_COLUMNS];
        if (!column) throw new Error(`Unknown source field ${field}`);
        values.push(field === 'kinds' || field === 'settings' ? json(value) : value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length === 0) return get(name);
      const { rows } = await db.query<SourceDbRow>(`UPDATE sources SET ${sets.join(', ')} WHERE name = $1 RETURNING *`, values);
      return rows[0] && sourceFromRow(rows[0]);
    },
    async remove(name) {
      const { rowCount } = await db.query('DELETE FROM sources WHERE name = $1', [name]);
      return rowCount === 1;
    },
    async setRoute(kind, hops) {
      if (hops === null) await db.query('DELETE FROM source_routes WHERE kind = $1', [kind]);
      else {
        await db.query('INSERT INTO source_routes (kind, hops) VALUES ($1, $2) ON CONFLICT (kind) DO UPDATE SET hops = excluded.hops', [
          kind,
          JSON.stringify(hops),
        ]);
      }
    },
    async routes() {
      const { rows } = await db.query<{ kind: string; hops: never }>('SELECT kind, hops FROM source_routes ORDER BY kind');
      return Object.fromEntries(rows.map((r) => [r.kind, r.hops]));
    },
    async addUsage(deltas) {
      if (deltas.length === 0) return;
      await db.tx(async (c) => {
        for (const d of deltas) {
          await c.query(
            `INSERT INTO source_usage (source, day, calls, errors, billed, maybe_billed, cost_fen, open_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (source, day) DO UPDATE SET calls = source_usage.calls + excluded.calls, errors = source_usage.errors + excluded.errors,
               billed = source_usage.billed + excluded.billed, maybe_billed = source_usage.maybe_billed + excluded.maybe_billed, cost_fen = source_usage.cost_fen + excluded.cost_fen,
               open_until = greatest(source_usage.open_until, excluded.open_until)`,
            [d.source, d.day, d.calls, d.errors, d.billed, d.maybeBilled, d.costFen, d.openUntil],
          );
          for (const [bucket, n] of latencyRows(d)) {
            await c.query(
              `INSERT INTO source_latency (source, day, bucket, n) VALUES ($1, $2, $3, $4)
               ON CONFLICT (source, day, bucket) DO UPDATE SET n = source_latency.n + excluded.n`,
              [d.source, d.day, bucket, n],
            );
          }
        }
      });
    },
    async usage(fromDay, toDay) {
      const counts = await db.query<UsageDbRow>('SELECT * FROM source_usage WHERE day >= $1 AND day <= $2', [fromDay, toDay]);
      const buckets = await db.query<{ source: string; day: string; bucket: number; n: number }>(
        'SELECT source, day, bucket, n FROM source_latency WHERE day >= $1 AND day <= $2',
        [fromDay, toDay],
      );
      return usageFromRows(counts.rows, buckets.rows);
    },
    async notePurge(scope, at) {
      await db.query('INSERT INTO cache_purges (scope, at) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET at = greatest(cache_purges.at, excluded.at)', [scope, at]);
    },
    async purges() {
      const { rows } = await db.query<{ scope: string; at: number }>('SELECT scope, at FROM cache_purges');
      return Object.fromEntries(rows.map((r) => [r.scope, r.at]));
    },
  };
}
