import { createHmac, hkdfSync } from 'node:crypto';

/** Each purpose gets its own key, so a leak or misuse in one place never exposes another. */
export type KeyPurpose = 'registry-hmac' | 'secret-seal' | 'daily-limit';

// A fixed salt: the master key is already uniformly random; the salt only versions the scheme.
const SALT = Buffer.from('realname/v1');

export function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, `realname ${purpose}`, 32));
}

/** Short, non-secret fingerprint of the master key, stored beside data it protects to detect a key change. */
export function keyIdOf(master: Buffer): string {
  return createHmac('sha256', master).update('realname key id').digest('hex').slice(0, 8);
}
