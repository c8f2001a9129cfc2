import type Database from 'better-sqlite3';
import type { NonceStore, RateLimiter } from '../types.ts';
import { admit, WINDOW_MS } from '../window.ts';

/** Every this many calls, a bounded batch of stale rows is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

const encodeTimes = (times: number[]) => {
  const buf = Buffer.allocUnsafe(times.length * 8);
  times.forEach((t, i) => buf.writeDoubleLE(t, i * 8));
  return buf;
};

const decodeTimes = (buf: Buffer) => {
  const times: number[] = new Array(buf.length / 8);
  for (let i = 0; i < times.length; i++) times[i] = buf.readDoubleLE(i * 8);
  return times;
};

export function sqliteRate(db: Database.Database): RateLimiter {
  const select = db.prepare('SELECT times FROM rate WHERE key = ?').pluck();
  const upsert = db.prepare(
    `INSERT INTO rate (key, times, last_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET times = excluded.times, last_at = excluded.last_at`,
  );
  const purge = db.prepare(
    `DELETE FROM rate WHERE key IN (SELECT key FROM rate WHERE last_at <= ? LIMIT ${PURGE_BATCH})`,
  );
  let calls = 0;
  // IMMEDIATE: the read-decide-write of one key is a critical section across processes.
  const take = db.transaction((key: string, limit: number, nowMs: number) => {
    if (++calls % PURGE_EVERY === 0) purge.run(nowMs - WINDOW_MS);
    const stored = select.get(key) as Buffer | undefined;
    const times = stored ? decodeTimes(stored) : [];
    if (!admit(times, limit, nowMs)) return false;
    upsert.run(key, encodeTimes(times), times[times.length - 1]);
    return true;
  });
  return {
    async take(key, limit, nowMs) {
      return take.immediate(key, limit, nowMs);
    },
  };
}

export function sqliteNonces(db: Database.Database): NonceStore {
  // One statement decides: a new key inserts, an expired one is renewed, a remembered one changes nothing.
  const claim = db.prepare(
    `INSERT INTO nonces (key, expires_at) VALUES (@key, @expiresAt)
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= @now`,
  );
  const purge = db.prepare(
    `DELETE FROM nonces WHERE key IN (SELECT key FROM nonces WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`,
  );
  let calls = 0;
  return {
    async claim(key, ttlMs, nowMs) {
      if (++calls % PURGE_EVERY === 0) purge.run(nowMs);
      return claim.run({ key, expiresAt: nowMs + ttlMs, now: nowMs }).changes === 1;
    },
  };
}
