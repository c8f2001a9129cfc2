import { deriveKey, keyIdOf } from '../keys/derive.ts';
import { prepareHmacSha256 } from '../keys/hmac-sha256.ts';
import type { StoreKeys } from '../keys/ring.ts';
import type { HashWrap } from '../keys/wrap.ts';

export interface RegistryHasher {
  /** Id of the master key the hashes are made under (stored per registry row). */
  keyId: string;
  idNumber(canonical: string): Buffer;
  name(canonical: string): Buffer;
  bankCard(canonical: string): Buffer;
  phone(canonical: string): Buffer;
}

/**
 * Keyed hashes of canonical factors: HMAC-SHA256 of the UTF-8 bytes of a domain prefix and the
 * canonical string, under the pepper (the 'registry-hmac' key of the store's first master key). Each
 * factor has its own domain prefix so equal strings in different fields never hash alike. Inputs must
 * already be canonical (core's canonical* functions). The key's pads are prepared once
 * (src/keys/hmac-sha256.ts): four hashes a row or a check cost about a third of what node:crypto's
 * createHmac did, with the same bytes out. A key rotated in later permutes each HMAC with its wrap
 * (src/keys/wrap.ts), so rows can be re-keyed without the plaintext.
 */
function keyedHasher(keyId: string, pepper: Buffer, wrap: HashWrap | undefined): RegistryHasher {
  const hmac = prepareHmacSha256(pepper);
  // Digests are slices of Node's shared Buffer pool: a batch of 80,000 of them is a few hundred
  // 8 KiB pool chunks, not 80,000 native allocations fragmenting the heap.
  const hmacFor = wrap
    ? (domain: string) => (canonical: string): Buffer => wrap.wrap(hmac.digest(domain, canonical))
    : (domain: string) => (canonical: string): Buffer => hmac.digest(domain, canonical);
  return {
    keyId,
    idNumber: hmacFor('id:'),
    name: hmacFor('name:'),
    bankCard: hmacFor('card:'),
    phone: hmacFor('phone:'),
  };
}

/** The hasher of a store's first key (or of a lone key that never rotates). */
export function createRegistryHasher(master: Buffer): RegistryHasher {
  return keyedHasher(keyIdOf(master), deriveKey(master, 'registry-hmac'), undefined);
}

/** The hasher of one of the store's keys (the current one, unless told otherwise). */
export function registryHasher(keys: StoreKeys, keyId: string = keys.currentId): RegistryHasher {
  return keyedHasher(keyId, keys.pepper, keys.wrapOf(keyId));
}
