import type Database from 'better-sqlite3';

/**
 * Group commit for per-check counters: calls made during one turn of the event loop run together,
 * in call order, in one IMMEDIATE transaction. Each call still decides inside the write lock, so the
 * counters stay exact across connections and processes; a busy node pays one commit per turn instead
 * of one per check. If the transaction fails, every call in it fails (none of them took effect).
 */
export function groupCommit<A extends unknown[], R>(db: Database.Database, step: (...args: A) => R): (...args: A) => Promise<R> {
  interface Call {
    args: A;
    resolve: (value: R) => void;
    reject: (error: unknown) => void;
  }
  let queue: Call[] = [];
  const runAll = db.transaction((calls: Call[]) => calls.map((call) => step(...call.args)));
  const flush = () => {
    const calls = queue;
    queue = [];
    let results: R[];
    try {
      results = runAll.immediate(calls);
    } catch (error) {
      for (const call of calls) call.reject(error);
      return;
    }
    calls.forEach((call, i) => call.resolve(results[i]!));
  };
  return (...args: A) =>
    new Promise<R>((resolve, reject) => {
      // setImmediate runs after the poll phase: every request read in this turn joins the batch.
      if (queue.length === 0) setImmediate(flush);
      queue.push({ args, resolve, reject });
    });
}
