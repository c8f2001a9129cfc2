import type Database from 'better-sqlite3';
import type { ApiKeyRecord, ApiKeyStore, IdempotencyStore } from '../types.ts';

interface KeyRow {
  key_id: string;
  appid: string;
  hash: string;
  revoked: number;
  created_at: number;
}

const keyOf = (r: KeyRow): ApiKeyRecord => ({ keyId: r.key_id, appid: r.appid, hash: r.hash, revoked: r.revoked === 1, createdAt: r.created_at });

export function sqliteApiKeys(db: Database.Database): ApiKeyStore {
  const insert = db.prepare('INSERT INTO api_keys (key_id, appid, hash, revoked, created_at) VALUES (@keyId, @appid, @hash, @revoked, @createdAt)');
  const get = db.prepare('SELECT * FROM api_keys WHERE key_id = ?');
  const list = db.prepare('SELECT * FROM api_keys WHERE appid = ? ORDER BY created_at, key_id');
  const revoke = db.prepare('UPDATE api_keys SET revoked = 1 WHERE appid = ? AND key_id = ?');
  return {
    async add(record) {
      insert.run({ ...record, revoked: record.revoked ? 1 : 0 });
    },
    async get(keyId) {
      const row = get.get(keyId) as KeyRow | undefined;
      return row && keyOf(row);
    },
    async list(appid) {
      return (list.all(appid) as KeyRow[]).map(keyOf);
    },
    async revoke(appid, keyId) {
      return revoke.run(appid, keyId).changes === 1;
    },
  };
}

export function sqliteIdempotency(db: Database.Database): IdempotencyStore {
  // One statement decides: a new key inserts, an expired one is taken over, a live one changes nothing.
  const claim = db.prepare(
    `INSERT INTO idempotency (scope, key, request_hash, sealed, expires_at) VALUES (@scope, @key, @requestHash, NULL, @expiresAt)
     ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, sealed = NULL, expires_at = excluded.expires_at
     WHERE idempotency.expires_at <= @now`,
  );
  const read = db.prepare('SELECT request_hash, sealed FROM idempotency WHERE scope = ? AND key = ?');
  const settle = db.prepare('UPDATE idempotency SET sealed = ?, expires_at = ? WHERE scope = ? AND key = ?');
  const abandon = db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ? AND sealed IS NULL');
  const purge = db.prepare('DELETE FROM idempotency WHERE expires_at <= ?');
  return {
    async claim(scope, key, requestHash, ttlMs, nowMs) {
      if (claim.run({ scope, key, requestHash, expiresAt: nowMs + ttlMs, now: nowMs }).changes === 1) return { claimed: true };
      const row = read.get(scope, key) as { request_hash: string; sealed: string | null } | undefined;
      // Gone between the two statements (purged or abandoned): the next attempt claims it.
      if (!row) return { claimed: false, requestHash, sealed: null };
      return { claimed: false, requestHash: row.request_hash, sealed: row.sealed };
    },
    async settle(scope, key, sealed, expiresAt) {
      settle.run(sealed, expiresAt, scope, key);
    },
    async abandon(scope, key) {
      abandon.run(scope, key);
    },
    async purge(nowMs) {
      return purge.run(nowMs).changes;
    },
  };
}
