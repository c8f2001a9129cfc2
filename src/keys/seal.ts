import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1.';
/** 'v2.<key id>.' + the v1 body: the value names the master key it was sealed under. */
const PREFIX_WITH_ID = 'v2.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM; output 'v1.' + base64url(iv | tag | ciphertext). A fresh IV every call. */
export function seal(key: Buffer, plaintext: string): string {
  return PREFIX + sealBody(key, plaintext);
}

/** The same, naming the key id: 'v2.<keyId>.' + base64url(iv | tag | ciphertext). */
export function sealWithId(key: Buffer, keyId: string, plaintext: string): string {
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw new Error(`Seal key id must be 8 hex digits, got ${keyId}`);
  return `${PREFIX_WITH_ID}${keyId}.${sealBody(key, plaintext)}`;
}

/** The key id a sealed value names; undefined for a v1 value (sealed under a store's first key). */
export function sealedKeyId(sealed: string): string | undefined {
  const match = /^v2\.([0-9a-f]{8})\./.exec(sealed);
  return match?.[1];
}

function sealBody(key: Buffer, plaintext: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a v1 or v2 value (the caller picks the key a v2 value names). Throws when it was altered or sealed under another key. */
export function open(key: Buffer, sealed: string): string {
  assertKey(key);
  const id = sealedKeyId(sealed);
  if (id !== undefined) return openBody(key, sealed.slice(PREFIX_WITH_ID.length + id.length + 1));
  if (!sealed.startsWith(PREFIX)) throw new Error('Sealed value has an unknown format (expected v1. or v2.<key id>.)');
  return openBody(key, sealed.slice(PREFIX.length));
}

function openBody(key: Buffer, body: string): string {
  const raw = Buffer.from(body, 'base64url');
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
