import type { NonceStore, RateLimiter } from '../types.ts';
import { admit, WINDOW_MS } from '../window.ts';
import type { Db } from './db.ts';

/** Every this many calls, a bounded batch of stale rows is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

/**
 * Every PURGE_EVERY calls, deletes up to PURGE_BATCH rows of `table` whose `column` is at or before
 * the cutoff; SKIP LOCKED leaves rows in use alone.
 */
function stalePurge(db: Db, table: 'rate' | 'nonces', column: 'last_at' | 'expires_at') {
  let calls = 0;
  return async (cutoff: number) => {
    if (++calls % PURGE_EVERY !== 0) return;
    await db.query(
      `DELETE FROM ${table} WHERE key IN (SELECT key FROM ${table} WHERE ${column} <= $1 LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
      [cutoff],
    );
  };
}

export function postgresRate(db: Db): RateLimiter {
  const purge = stalePurge(db, 'rate', 'last_at');
  return {
    async take(key, limit, nowMs) {
      // A row whose newest admission left the window means the same as no row.
      await purge(nowMs - WINDOW_MS);
      return db.tx(async (c) => {
        // The upsert creates the row if needed and locks it either way: the read-decide-write below is a
        // critical section per key across connections and processes.
        const { rows } = await c.query<{ times: number[] }>(
          `INSERT INTO rate (key, times, last_at) VALUES ($1, '{}', '-Infinity')
           ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING times`,
          [key],
        );
        const times = rows[0]!.times;
        if (!admit(times, limit, nowMs)) return false;
        await c.query('UPDATE rate SET times = $2, last_at = $3 WHERE key = $1', [key, times, times[times.length - 1]]);
        return true;
      });
    },
  };
}

export function postgresNonces(db: Db): NonceStore {
  const purge = stalePurge(db, 'nonces', 'expires_at');
  return {
    async claim(key, ttlMs, nowMs) {
      await purge(nowMs);
      // One statement decides: a new key inserts, an expired one is renewed, a remembered one changes nothing.
      const { rowCount } = await db.query(
        `INSERT INTO nonces (key, expires_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= $3`,
        [key, nowMs + ttlMs, nowMs],
      );
      return rowCount === 1;
    },
  };
}
