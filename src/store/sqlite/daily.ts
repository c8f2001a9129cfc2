import type Database from 'better-sqlite3';
import type { DailyCounter, DailyKey } from '../types.ts';

/** Every this many takes, a bounded batch of past days' rows is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

/** Each take is one IMMEDIATE transaction: the read and the increments of its keys hold the write lock together. */
export function sqliteDaily(db: Database.Database): DailyCounter {
  const countOf = db.prepare('SELECT count FROM daily WHERE day = ? AND key = ?').pluck();
  const count = db.prepare('INSERT INTO daily (day, key, count) VALUES (?, ?, 1) ON CONFLICT (day, key) DO UPDATE SET count = count + 1');
  const give = db.prepare('UPDATE daily SET count = count - 1 WHERE day = ? AND key = ? AND count > 0');
  const purge = db.prepare(`DELETE FROM daily WHERE rowid IN (SELECT rowid FROM daily WHERE day < ? LIMIT ${PURGE_BATCH})`);
  const take = db.transaction((day: number, keys: readonly DailyKey[]) => {
    for (const { key, limit } of keys) if (((countOf.get(day, key) as number | undefined) ?? 0) >= limit) return false;
    for (const { key } of keys) count.run(day, key);
    return true;
  });
  const release = db.transaction((day: number, keys: readonly Buffer[]) => {
    for (const key of keys) give.run(day, key);
  });
  let takes = 0;
  return {
    async take(day, keys) {
      if (++takes % PURGE_EVERY === 0) purge.run(day);
      return take.immediate(day, keys);
    },
    async release(day, keys) {
      release.immediate(day, keys);
    },
  };
}
