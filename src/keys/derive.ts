import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Each purpose gets its own key, so a leak or misuse in one place never exposes another.
 * registry-hmac: the registry's hashes (a store's first key); registry-wrap: the permutation that
 * re-keys them under a later key (src/keys/wrap.ts); secret-seal: sealed secrets; key-check: the
 * proof, kept by the store, that a node holds the very key the store names; daily-limit: the keyed
 * hashes identity daily limits count by; result-cache: the keys of cached upstream answers; audit-lookup:
 * the audit's hash of each factor (a person's records are found by it); audit-chain: the audit's MACs;
 * api-key: the REST API keys' stored hashes; idempotency: the keys and request hashes of idempotent requests.
 */
export type KeyPurpose =
  | 'registry-hmac'
  | 'registry-wrap'
  | 'secret-seal'
  | 'key-check'
  | 'daily-limit'
  | 'result-cache'
  | 'audit-lookup'
  | 'audit-chain'
  | 'api-key'
  | 'idempotency';

// A fixed salt: the master key is already uniformly random; the salt only versions the scheme.
const SALT = Buffer.from('realname/v1');

export function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, `realname ${purpose}`, 32));
}

/** Short, non-secret fingerprint of the master key, stored beside data it protects to detect a key change. */
export function keyIdOf(master: Buffer): string {
  return createHmac('sha256', master).update('realname key id').digest('hex').slice(0, 8);
}
