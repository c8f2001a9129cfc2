import type Database from 'better-sqlite3';

interface Call {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  queue: Call[];
  runAll: Database.Transaction<(calls: Call[]) => unknown[]>;
}

const batches = new WeakMap<Database.Database, Batch>();

function batchOf(db: Database.Database): Batch {
  let batch = batches.get(db);
  if (!batch) {
    batch = { queue: [], runAll: db.transaction((calls: Call[]) => calls.map((call) => call.run())) };
    batches.set(db, batch);
  }
  return batch;
}

function flush(batch: Batch): void {
  const calls = batch.queue;
  batch.queue = [];
  let results: unknown[];
  try {
    results = batch.runAll.immediate(calls);
  } catch (error) {
    for (const call of calls) call.reject(error);
    return;
  }
  calls.forEach((call, i) => call.resolve(results[i]));
}

/**
 * Group commit for per-check counters: calls made during one turn of the event loop — of every
 * group-committed step of the same connection (rate, quota, both at once) — run together, in call
 * order, in one IMMEDIATE transaction. Each call still decides inside the write lock, so the counters
 * stay exact across connections and processes; a busy node pays one commit per turn instead of one
 * per check and counter. If the transaction fails, every call in it fails (none of them took effect).
 */
export function groupCommit<A extends unknown[], R>(db: Database.Database, step: (...args: A) => R): (...args: A) => Promise<R> {
  const batch = batchOf(db);
  return (...args: A) =>
    new Promise<R>((resolve, reject) => {
      // setImmediate runs after the poll phase: every request read in this turn joins the batch.
      if (batch.queue.length === 0) setImmediate(flush, batch);
      batch.queue.push({ run: () => step(...args), resolve: resolve as (value: unknown) => void, reject });
    });
}
