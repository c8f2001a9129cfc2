import { deriveKey, keyIdOf } from '../keys/derive.ts';
import { prepareHmacSha256 } from '../keys/hmac-sha256.ts';

export interface RegistryHasher {
  /** Fingerprint of the master key the hashes were made with (stored per registry row). */
  keyId: string;
  idNumber(canonical: string): Buffer;
  name(canonical: string): Buffer;
  bankCard(canonical: string): Buffer;
  phone(canonical: string): Buffer;
}

/**
 * Keyed hashes of canonical factors: HMAC-SHA256 of the UTF-8 bytes of a domain prefix and the
 * canonical string. Each factor has its own domain prefix so equal strings in different fields never
 * hash alike. Inputs must already be canonical (core's canonical* functions). The key's pads are
 * prepared once (src/keys/hmac-sha256.ts): four hashes a row or a check cost about a third of what
 * node:crypto's createHmac did, with the same bytes out.
 */
export function createRegistryHasher(master: Buffer): RegistryHasher {
  const hmac = prepareHmacSha256(deriveKey(master, 'registry-hmac'));
  // Digests are slices of Node's shared Buffer pool: a batch of 80,000 of them is a few hundred
  // 8 KiB pool chunks, not 80,000 native allocations fragmenting the heap.
  const hmacFor = (domain: string) => (canonical: string): Buffer => hmac.digest(domain, canonical);
  return {
    keyId: keyIdOf(master),
    idNumber: hmacFor('id:'),
    name: hmacFor('name:'),
    bankCard: hmacFor('card:'),
    phone: hmacFor('phone:'),
  };
}
