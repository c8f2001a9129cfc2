import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyStore } from '../store/types.ts';
import { isAppid } from './identifiers.ts';

/**
 * REST API keys: `rn_live_<key id>_<secret>`. The key id names the record; the store holds an HMAC of the
 * whole key under its own derived key, compared in constant time. A key is shown once, when it is made.
 */
export const API_KEY_PREFIX = 'rn_live_';
const KEY_ID_LENGTH = 16;
const SECRET_LENGTH = 32;
const KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}([A-Za-z0-9]{${KEY_ID_LENGTH}})_([A-Za-z0-9]{${SECRET_LENGTH}})$`);
const KEY_ID_SHAPE = new RegExp(`^[A-Za-z0-9]{${KEY_ID_LENGTH}}$`);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const alnum = (length: number) => Array.from({ length }, () => ALNUM[randomInt(ALNUM.length)]).join('');

/** What a presented key proved: the app it names (when its id is on record) and whether it is that key. */
export type KeyVerdict =
  | { ok: true; appid: string; keyId: string }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'mismatch'; appid?: string };

/** A key as listed: never its hash. */
export type ListedKey = Omit<ApiKeyRecord, 'hash'>;

export class ApiKeyError extends Error {}

export interface ApiKeysOptions {
  /** How long a key's record is served from memory (default 1000 ms): a revocation elsewhere takes effect within it. */
  cacheTtlMs?: number;
}

export class ApiKeys {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly store: ApiKeyStore,
    /** The 'api-key' derived key (stable across a master-key rotation, as the registry's pepper is). */
    private readonly hashKey: Buffer,
    private readonly clock: () => number = Date.now,
    options: ApiKeysOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 1000;
  }

  /** A new key for the app: the only time its plaintext exists outside the client. */
  async create(appid: string): Promise<{ keyId: string; key: string }> {
    const keyId = alnum(KEY_ID_LENGTH);
    const key = `${API_KEY_PREFIX}${keyId}_${alnum(SECRET_LENGTH)}`;
    await this.store.add({ keyId, appid, hash: this.hash(key), revoked: false, createdAt: this.clock() });
    return { keyId, key };
  }

  async list(appid: string): Promise<ListedKey[]> {
    return (await this.store.list(appid)).map(({ hash: _hash, ...listed }) => listed);
  }

  async revoke(appid: string, keyId: string): Promise<void> {
    const done = isAppid(appid) && KEY_ID_SHAPE.test(keyId) && (await this.store.revoke(appid, keyId));
    this.cache.delete(keyId);
    if (!done) throw new ApiKeyError(`app ${appid} has no API key ${keyId} (realname apps keys list ${appid} lists them)`);
  }

  /** Judges a presented key; a key of another shape costs no store read. */
  async verify(presented: string): Promise<KeyVerdict> {
    const shape = KEY_SHAPE.exec(presented);
    if (!shape) return { ok: false, reason: 'malformed' };
    const keyId = shape[1]!;
    const record = await this.record(keyId);
    if (!record) return { ok: false, reason: 'unknown' };
    const expected = Buffer.from(record.hash, 'hex');
    const actual = Buffer.from(this.hash(presented), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'mismatch', appid: record.appid };
    if (record.revoked) return { ok: false, reason: 'revoked', appid: record.appid };
    return { ok: true, appid: record.appid, keyId };
  }

  private hash(key: string): string {
    return createHmac('sha256', this.hashKey).update(key).digest('hex');
  }

  private async record(keyId: string): Promise<ApiKeyRecord | undefined> {
    const hit = this.cache.get(keyId);
    const now = this.clock();
    if (hit && hit.until > now) return hit.record;
    const record = await this.store.get(keyId);
    // Unknown ids are not remembered: junk ids fill nothing, and a key made elsewhere works at once.
    if (record && this.ttlMs > 0) this.cache.set(keyId, { record, until: now + this.ttlMs });
    else this.cache.delete(keyId);
    return record;
  }
}
