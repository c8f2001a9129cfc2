import type { ApiKeyRecord, ApiKeyStore, IdempotencyStore } from '../types.ts';
import type { Db } from './db.ts';

interface KeyRow {
  key_id: string;
  appid: string;
  hash: string;
  revoked: boolean;
  created_at: number;
}

const keyOf = (r: KeyRow): ApiKeyRecord => ({ keyId: r.key_id, appid: r.appid, hash: r.hash, revoked: r.revoked, createdAt: r.created_at });

export function postgresApiKeys(db: Db): ApiKeyStore {
  return {
    async add(k) {
      await db.query('INSERT INTO api_keys (key_id, appid, hash, revoked, created_at) VALUES ($1, $2, $3, $4, $5)', [k.keyId, k.appid, k.hash, k.revoked, k.createdAt]);
    },
    async get(keyId) {
      const row = (await db.query<KeyRow>('SELECT * FROM api_keys WHERE key_id = $1', [keyId])).rows[0];
      return row && keyOf(row);
    },
    async list(appid) {
      return (await db.query<KeyRow>('SELECT * FROM api_keys WHERE appid = $1 ORDER BY created_at, key_id', [appid])).rows.map(keyOf);
    },
    async revoke(appid, keyId) {
      return (await db.query('UPDATE api_keys SET revoked = true WHERE appid = $1 AND key_id = $2', [appid, keyId])).rowCount === 1;
    },
  };
}

export function postgresIdempotency(db: Db): IdempotencyStore {
  return {
    async claim(scope, key, requestHash, ttlMs, nowMs) {
      // One statement decides: a new key inserts, an expired one is taken over, a live one is read back.
      const claimed = await db.query(
        `INSERT INTO idempotency (scope, key, request_hash, sealed, expires_at) VALUES ($1, $2, $3, NULL, $4)
         ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, sealed = NULL, expires_at = excluded.expires_at
         WHERE idempotency.expires_at <= $5`,
        [scope, key, requestHash, nowMs + ttlMs, nowMs],
      );
      if (claimed.rowCount === 1) return { claimed: true };
      const row = (await db.query<{ request_hash: string; sealed: string | null }>('SELECT request_hash, sealed FROM idempotency WHERE scope = $1 AND key = $2', [scope, key])).rows[0];
      if (!row) return { claimed: false, requestHash, sealed: null };
      return { claimed: false, requestHash: row.request_hash, sealed: row.sealed };
    },
    async settle(scope, key, sealed, expiresAt) {
      await db.query('UPDATE idempotency SET sealed = $1, expires_at = $2 WHERE scope = $3 AND key = $4', [sealed, expiresAt, scope, key]);
    },
    async abandon(scope, key) {
      await db.query('DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND sealed IS NULL', [scope, key]);
    },
    async purge(nowMs) {
      return (await db.query('DELETE FROM idempotency WHERE expires_at <= $1', [nowMs])).rowCount ?? 0;
    },
  };
}
