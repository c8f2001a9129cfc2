import type Database from 'better-sqlite3';
import type { NonceStore, RateLimiter } from '../types.ts';
import { WINDOW_MS } from '../window.ts';
import { groupCommit } from './group-commit.ts';

/** Every this many calls, a bounded batch of stale rows is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

/**
 * The exact sliding window of window.ts, stored as numbered admissions: `rate` holds a key's count of
 * admissions (seq) and the newest time; `rate_admissions` holds admission n's time. Admission seq is
 * let in when admission seq - limit (the oldest of the last `limit`) is at or before t - 1000 or gone,
 * which is window.ts's rule read from one row. That row is then deleted: it lies outside every later
 * window, whatever the limit becomes.
 */
export interface SqliteRate extends RateLimiter {
  /** take's decision, synchronously: only inside a write transaction (a group-committed step). */
  admit(key: string, limit: number, nowMs: number): boolean;
}

export function sqliteRate(db: Database.Database): SqliteRate {
  const head = db.prepare('SELECT seq, last_at AS lastAt FROM rate WHERE key = ?');
  const admissionAt = db.prepare('SELECT at FROM rate_admissions WHERE key = ? AND n = ?').pluck();
  // REPLACE: a key purged and begun again renumbers from 0 over rows it may have left behind.
  const record = db.prepare('INSERT OR REPLACE INTO rate_admissions (key, n, at) VALUES (?, ?, ?)');
  const forget = db.prepare('DELETE FROM rate_admissions WHERE key = ? AND n = ?');
  const setHead = db.prepare(
    `INSERT INTO rate (key, seq, last_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET seq = excluded.seq, last_at = excluded.last_at`,
  );
  const staleKeys = db.prepare(`SELECT key FROM rate WHERE last_at <= ? LIMIT ${PURGE_BATCH}`).pluck();
  const dropHead = db.prepare('DELETE FROM rate WHERE key = ?');
  const dropAdmissions = db.prepare('DELETE FROM rate_admissions WHERE key = ?');
  const purge = (before: number) => {
    // A key whose newest admission left the window has nothing left that can refuse anyone.
    for (const key of staleKeys.all(before) as string[]) {
      dropAdmissions.run(key);
      dropHead.run(key);
    }
  };
  let calls = 0;
  // The read-decide-write of one key runs inside an IMMEDIATE transaction (a critical section across
  // processes), grouped with the other takes of this turn of the event loop.
  const admit = (key: string, limit: number, nowMs: number): boolean => {
    if (++calls % PURGE_EVERY === 0) purge(nowMs - WINDOW_MS);
    if (limit <= 0) return false;
    const h = head.get(key) as { seq: number; lastAt: number } | undefined;
    const seq = h?.seq ?? 0;
    // An arrival stamped before the newest admission counts as arriving then (clocks of processes differ).
    const t = h !== undefined && h.lastAt > nowMs ? h.lastAt : nowMs;
    const oldestOfLimit = seq - limit;
    if (oldestOfLimit >= 0) {
      const at = admissionAt.get(key, oldestOfLimit) as number | undefined;
      if (at !== undefined && at > t - WINDOW_MS) return false;
      if (at !== undefined) forget.run(key, oldestOfLimit);
    }
    record.run(key, seq, t);
    setHead.run(key, seq + 1, t);
    return true;
  };
  return {
    take: groupCommit(db, admit),
    admit,
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
