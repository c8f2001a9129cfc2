import type { ApiKeyRecord, ApiKeyStore, IdempotencyStore } from './types.ts';

export function memoryApiKeys(): ApiKeyStore {
  const keys = new Map<string, ApiKeyRecord>();
  return {
    async add(record) {
      if (keys.has(record.keyId)) throw new Error(`api key ${record.keyId} exists`);
      keys.set(record.keyId, { ...record });
    },
    async get(keyId) {
      const found = keys.get(keyId);
      return found && { ...found };
    },
    async list(appid) {
      return [...keys.values()].filter((k) => k.appid === appid).map((k) => ({ ...k }));
    },
    async revoke(appid, keyId) {
      const found = keys.get(keyId);
      if (!found || found.appid !== appid) return false;
      found.revoked = true;
      return true;
    },
  };
}

interface Entry {
  requestHash: string;
  sealed: string | null;
  expiresAt: number;
}

export function memoryIdempotency(): IdempotencyStore {
  const entries = new Map<string, Entry>();
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  return {
    async claim(scope, key, requestHash, ttlMs, nowMs) {
      const found = entries.get(id(scope, key));
      if (found && found.expiresAt > nowMs) return { claimed: false, requestHash: found.requestHash, sealed: found.sealed };
      entries.set(id(scope, key), { requestHash, sealed: null, expiresAt: nowMs + ttlMs });
      return { claimed: true };
    },
    async settle(scope, key, sealed, expiresAt) {
      const found = entries.get(id(scope, key));
      if (found) Object.assign(found, { sealed, expiresAt });
    },
    async abandon(scope, key) {
      const found = entries.get(id(scope, key));
      if (found && found.sealed === null) entries.delete(id(scope, key));
    },
    async purge(nowMs) {
      let n = 0;
      for (const [k, e] of entries) if (e.expiresAt <= nowMs && entries.delete(k)) n++;
      return n;
    },
  };
}
