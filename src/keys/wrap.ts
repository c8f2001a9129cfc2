import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * A keyed permutation of 32-byte hashes: AES-256 on each 16-byte half (ECB). It is what lets a key
 * rotation re-key the registry without the plaintext: a row hashed under key A is HMAC(pepper, x)
 * permuted by A's wrap key, so unwrapping with A and wrapping with B gives exactly the row B would
 * have made — and a leaked old key, even with the pepper, cannot link a hash made under B to a value.
 * ECB is right here, not a shortcut: the inputs are uniformly random HMAC outputs, so equal blocks
 * occur only for equal hashes, which a deterministic lookup must give anyway.
 */
export interface HashWrap {
  wrap(hash: Buffer): Buffer;
  unwrap(hash: Buffer): Buffer;
}

const HASH_BYTES = 32;

export function createHashWrap(key: Buffer): HashWrap {
  if (key.length !== 32) throw new Error(`Wrap key must be 32 bytes, got ${key.length}`);
  // ECB carries no state between blocks: one cipher object serves every call, never finalised.
  const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const check = (hash: Buffer) => {
    if (hash.length !== HASH_BYTES) throw new Error(`A wrapped hash is ${HASH_BYTES} bytes, got ${hash.length}`);
  };
  return {
    wrap(hash) {
      check(hash);
      return cipher.update(hash);
    },
    unwrap(hash) {
      check(hash);
      return decipher.update(hash);
    },
  };
}
