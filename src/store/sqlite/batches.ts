import type Database from 'better-sqlite3';
import type { BatchChunk, BatchRecord, BatchStore } from '../types.ts';

interface BatchRow {
  batch_id: string;
  appid: string;
  kind: string | null;
  state: BatchRecord['state'];
  key_sealed: string;
  rows_total: number;
  rows_done: number;
  counts: string;
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
  started: number;
}

const batchOf = (r: BatchRow): BatchRecord => ({
  batchId: r.batch_id,
  appid: r.appid,
  kind: r.kind,
  state: r.state,
  keySealed: r.key_sealed,
  rowsTotal: r.rows_total,
  rowsDone: r.rows_done,
  counts: JSON.parse(r.counts) as Record<string, number>,
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
  started: r.started === 1,
});

const addCounts = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  return into;
};

export function sqliteBatches(db: Database.Database): BatchStore {
  const insert = db.prepare(
    `INSERT INTO batches (batch_id, appid, kind, state, key_sealed, rows_total, rows_done, counts, created_at, updated_at, finished_at, expires_at)
     VALUES (@batchId, @appid, @kind, @state, @keySealed, @rowsTotal, @rowsDone, @counts, @createdAt, @updatedAt, @finishedAt, @expiresAt)`,
  );
  const insertChunk = db.prepare(
    `INSERT INTO batch_chunks (batch_id, seq, first_line, rows, input_sealed, results_sealed, started) VALUES (@batchId, @seq, @firstLine, @rows, @inputSealed, @resultsSealed, @started)`,
  );
  const grow = db.prepare('UPDATE batches SET rows_total = rows_total + ? WHERE batch_id = ?');
  const get = db.prepare('SELECT * FROM batches WHERE batch_id = ?');
  const active = db.prepare("SELECT * FROM batches WHERE state IN ('running', 'quota_exhausted') ORDER BY created_at");
  const next = db.prepare('SELECT * FROM batch_chunks WHERE batch_id = ? AND results_sealed IS NULL ORDER BY seq LIMIT 1');
  const one = db.prepare('SELECT * FROM batch_chunks WHERE batch_id = ? AND seq = ?');
  const started = db.prepare('UPDATE batch_chunks SET started = 1 WHERE batch_id = ? AND seq = ?');
  const finish = db.prepare('UPDATE batch_chunks SET results_sealed = ?, input_sealed = NULL WHERE batch_id = ? AND seq = ? AND results_sealed IS NULL');
  const figures = db.prepare('UPDATE batches SET rows_done = rows_done + ?, counts = ?, updated_at = ? WHERE batch_id = ?');
  const results = db.prepare('SELECT * FROM batch_chunks WHERE batch_id = ? AND seq >= ? AND results_sealed IS NOT NULL ORDER BY seq LIMIT ?');
  const state = db.prepare(
    "UPDATE batches SET state = @state, updated_at = @now, finished_at = CASE WHEN @state IN ('done', 'cancelled') THEN @now ELSE finished_at END WHERE batch_id = @batchId AND state NOT IN ('done', 'cancelled')",
  );
  const dropInput = db.prepare('UPDATE batch_chunks SET input_sealed = NULL WHERE batch_id = ?');
  const lease = db.prepare('UPDATE batches SET lease_node = @node, lease_until = @until WHERE batch_id = @batchId AND (lease_node IS NULL OR lease_node = @node OR lease_until <= @now)');
  const unlease = db.prepare('UPDATE batches SET lease_node = NULL, lease_until = 0 WHERE batch_id = ? AND lease_node = ?');
  const purge = db.prepare('DELETE FROM batches WHERE expires_at <= ?');

  const finishTx = db.transaction((batchId: string, seq: number, sealed: string, counts: Record<string, number>, now: number) => {
    if (finish.run(sealed, batchId, seq).changes !== 1) return;
    const row = get.get(batchId) as BatchRow;
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    figures.run(rows, JSON.stringify(addCounts(JSON.parse(row.counts) as Record<string, number>, counts)), now, batchId);
  });
  const addTx = db.transaction((chunk: BatchChunk) => {
    insertChunk.run({ ...chunk, started: chunk.started ? 1 : 0 });
    grow.run(chunk.rows, chunk.batchId);
  });

  return {
    async create(r) {
      insert.run({ ...r, counts: JSON.stringify(r.counts) });
    },
    async addChunk(chunk) {
      addTx.immediate(chunk);
    },
    async get(batchId) {
      const row = get.get(batchId) as BatchRow | undefined;
      return row && batchOf(row);
    },
    async active() {
      return (active.all() as BatchRow[]).map(batchOf);
    },
    async nextChunk(batchId) {
      const row = next.get(batchId) as ChunkRow | undefined;
      return row && chunkOf(row);
    },
    async chunk(batchId, seq) {
      const row = one.get(batchId, seq) as ChunkRow | undefined;
      return row && chunkOf(row);
    },
    async markStarted(batchId, seq) {
      started.run(batchId, seq);
    },
    async finishChunk(batchId, seq, resultsSealed, counts, now) {
      finishTx.immediate(batchId, seq, resultsSealed, counts, now);
    },
    async results(batchId, fromSeq, limit) {
      return (results.all(batchId, fromSeq, limit) as ChunkRow[]).map(chunkOf);
    },
    async setState(batchId, s, now) {
      state.run({ batchId, state: s, now });
    },
    async dropInput(batchId) {
      dropInput.run(batchId);
    },
    async lease(batchId, node, ttlMs, now) {
      return lease.run({ batchId, node, until: now + ttlMs, now }).changes === 1;
    },
    async unlease(batchId, node) {
      unlease.run(batchId, node);
    },
    async purge(now) {
      return purge.run(now).changes;
    },
  };
}
