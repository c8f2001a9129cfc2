import { createHmac, createSecretKey } from 'node:crypto';
import { deriveKey, keyIdOf } from '../keys/derive.ts';

export interface RegistryHasher {
  /** Fingerprint of the master key the hashes were made with (stored per registry row). */
  keyId: string;
  idNumber(canonical: string): Buffer;
  name(canonical: string): Buffer;
  bankCard(canonical: string): Buffer;
  phone(canonical: string): Buffer;
}

/**
 * Keyed hashes of canonical factors. Each factor has its own domain prefix so equal strings in
 * different fields never hash alike. Inputs must already be canonical (core's canonical* functions).
 */
export function createRegistryHasher(master: Buffer): RegistryHasher {
  // A KeyObject made once: each hash reuses it instead of copying raw key bytes (import runs 1M+ rows).
  const key = createSecretKey(deriveKey(master, 'registry-hmac'));
  const hmacFor = (domain: string) => (canonical: string): Buffer =>
    createHmac('sha256', key).update(domain).update(canonical, 'utf8').digest();
  return {
    keyId: keyIdOf(master),
    idNumber: hmacFor('id:'),
    name: hmacFor('name:'),
    bankCard: hmacFor('card:'),
    phone: hmacFor('phone:'),
  };
}
