import type { BatchChunk, BatchRecord, BatchStore } from '../types.ts';
import type { Db } from './db.ts';

interface BatchRow {
  batch_id: string;
  appid: string;
  kind: string | null;
  state: BatchRecord['state'];
  key_sealed: string;
  rows_total: number;
  rows_done: number;
  counts: Record<string, number>;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  expires_at: number;
}

interface ChunkRow {
  batch_id: string;
  seq: number;
  first_line: number;
  rows: number;
  input_sealed: string | null;
  results_sealed: string | null;
  started: boolean;
}

const batchOf = (r: BatchRow): BatchRecord => ({
  batchId: r.batch_id,
  appid: r.appid,
  kind: r.kind,
  state: r.state,
  keySealed: r.key_sealed,
  rowsTotal: r.rows_total,
  rowsDone: r.rows_done,
  counts: r.counts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  expiresAt: r.expires_at,
});

const chunkOf = (r: ChunkRow): BatchChunk => ({
  batchId: r.batch_id,
  seq: r.seq,
  firstLine: r.first_line,
  rows: r.rows,
  inputSealed: r.input_sealed,
  resultsSealed: r.results_sealed,
  started: r.started,
});

export function postgresBatches(db: Db): BatchStore {
  return {
    async create(r) {
      await db.query(
        `INSERT INTO batches (batch_id, appid, kind, state, key_sealed, rows_total, rows_done, counts, created_at, updated_at, finished_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [r.batchId, r.appid, r.kind, r.state, r.keySealed, r.rowsTotal, r.rowsDone, JSON.stringify(r.counts), r.createdAt, r.updatedAt, r.finishedAt, r.expiresAt],
      );
    },
    addChunk: (c) =>
      db.tx(async (q) => {
        await q.query('INSERT INTO batch_chunks (batch_id, seq, first_line, rows, input_sealed, results_sealed, started) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          c.batchId,
          c.seq,
          c.firstLine,
          c.rows,
          c.inputSealed,
          c.resultsSealed,
          c.started,
        ]);
        await q.query('UPDATE batches SET rows_total = rows_total + $1 WHERE batch_id = $2', [c.rows, c.batchId]);
      }),
    async get(batchId) {
      const row = (await db.query<BatchRow>('SELECT * FROM batches WHERE batch_id = $1', [batchId])).rows[0];
      return row && batchOf(row);
    },
    async active() {
      return (await db.query<BatchRow>("SELECT * FROM batches WHERE state IN ('running', 'quota_exhausted') ORDER BY created_at")).rows.map(batchOf);
    },
    async nextChunk(batchId) {
      const row = (await db.query<ChunkRow>('SELECT * FROM batch_chunks WHERE batch_id = $1 AND results_sealed IS NULL ORDER BY seq LIMIT 1', [batchId])).rows[0];
      return row && chunkOf(row);
    },
    async chunk(batchId, seq) {
      const row = (await db.query<ChunkRow>('SELECT * FROM batch_chunks WHERE batch_id = $1 AND seq = $2', [batchId, seq])).rows[0];
      return row && chunkOf(row);
    },
    async markStarted(batchId, seq) {
      await db.query('UPDATE batch_chunks SET started = true WHERE batch_id = $1 AND seq = $2', [batchId, seq]);
    },
    finishChunk: (batchId, seq, sealed, counts, now) =>
      db.tx(async (q) => {
        const done = await q.query('UPDATE batch_chunks SET results_sealed = $1, input_sealed = NULL WHERE batch_id = $2 AND seq = $3 AND results_sealed IS NULL', [sealed, batchId, seq]);
        if (done.rowCount !== 1) return;
        const rows = Object.values(counts).reduce((a, b) => a + b, 0);
        // Counts added key by key in the statement: two writers never lose one another's figures.
        await q.query(
          `UPDATE batches SET rows_done = rows_done + $1, updated_at = $2,
             counts = (SELECT COALESCE(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
               SELECT k, SUM(v::bigint) AS v FROM (
                 SELECT key AS k, value AS v FROM jsonb_each_text(counts) UNION ALL SELECT key, value FROM jsonb_each_text($3::jsonb)
               ) AS each GROUP BY k) AS summed)
           WHERE batch_id = $4`,
          [rows, now, JSON.stringify(counts), batchId],
        );
      }),
    async results(batchId, fromSeq, limit) {
      return (await db.query<ChunkRow>('SELECT * FROM batch_chunks WHERE batch_id = $1 AND seq >= $2 AND results_sealed IS NOT NULL ORDER BY seq LIMIT $3', [batchId, fromSeq, limit])).rows.map(chunkOf);
    },
    async setState(batchId, state, now) {
      await db.query(
        "UPDATE batches SET state = $2, updated_at = $3, finished_at = CASE WHEN $2 IN ('done', 'cancelled') THEN $3 ELSE finished_at END WHERE batch_id = $1 AND state NOT IN ('done', 'cancelled')",
        [batchId, state, now],
      );
    },
    async dropInput(batchId) {
      await db.query('UPDATE batch_chunks SET input_sealed = NULL WHERE batch_id = $1', [batchId]);
    },
    async lease(batchId, node, ttlMs, now) {
      const { rowCount } = await db.query('UPDATE batches SET lease_node = $2, lease_until = $3 WHERE batch_id = $1 AND (lease_node IS NULL OR lease_node = $2 OR lease_until <= $4)', [
        batchId,
        node,
        now + ttlMs,
        now,
      ]);
      return rowCount === 1;
    },
    async unlease(batchId, node) {
      await db.query('UPDATE batches SET lease_node = NULL, lease_until = 0 WHERE batch_id = $1 AND lease_node = $2', [batchId, node]);
    },
    async purge(now) {
      return (await db.query('DELETE FROM batches WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
  };
}
