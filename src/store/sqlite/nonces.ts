import type Database from 'better-sqlite3';
import type { NonceStore } from '../types.ts';

/** Every this many claims, a bounded batch of expired nonces is deleted: no call pays for a full sweep. */
const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

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
