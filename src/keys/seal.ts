import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM; output 'v1.' + base64url(iv | tag | ciphertext). A fresh IV every call. */
export function seal(key: Buffer, plaintext: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Throws when the value was altered or sealed under another key. */
export function open(key: Buffer, sealed: string): string {
  assertKey(key);
  if (!sealed.startsWith(PREFIX)) throw new Error('Sealed value has an unknown format (expected v1.)');
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('Sealed value failed authentication: it was altered or sealed under another master key');
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new Error(`Seal key must be 32 bytes, got ${key.length}`);
}
