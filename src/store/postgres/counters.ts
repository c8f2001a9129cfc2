import type { NonceStore, RateLimiter } from '../types.ts';
import { admit, WINDOW_MS } from '../window.ts';
import type { Db } from './db.ts';

/** Every this many calls, a bounded batch of stale rows is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

export function postgresRate(db: Db): RateLimiter {
  let calls = 0;
  return {
    async take(key, limit, nowMs) {
      if (++calls % PURGE_EVERY === 0) {
        // A row whose newest admission left the window means the same as no row; SKIP LOCKED leaves
        // rows in use alone.
        await db.query(
          `DELETE FROM rate WHERE key IN (SELECT key FROM rate WHERE last_at <= $1 LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
          [nowMs - WINDOW_MS],
        );
      }
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
  let calls = 0;
  return {
    async claim(key, ttlMs, nowMs) {
      if (++calls % PURGE_EVERY === 0) {
        await db.query(
          `DELETE FROM nonces WHERE key IN (SELECT key FROM nonces WHERE expires_at <= $1 LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
          [nowMs],
        );
      }
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
