import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const MASTER_KEY_BYTES = 32;

/** A missing or malformed master key: the user's to fix, reported without a stack trace. */
export class MasterKeyError extends Error {}

export interface LoadMasterKeyOptions {
  /** Value of REALNAME_MASTER_KEY (base64); wins over the key file when non-empty. */
  env?: string;
  keyFile: string;
  /** Create the key file (mode 0600) with a fresh random key when it does not exist. */
  create: boolean;
}

/**
 * The one master secret everything else is derived from. Losing it makes the registry's hashes and
 * the sealed signing keys unusable, so a missing key is an error unless the caller asks to create one.
 */
export function loadMasterKey(opts: LoadMasterKeyOptions): Buffer {
  if (opts.env !== undefined && opts.env.trim() !== '') {
    return decodeKey(opts.env, 'REALNAME_MASTER_KEY');
  }
  const existing = readKeyFile(opts.keyFile);
  if (existing !== undefined) return decodeKey(existing, `key file ${opts.keyFile}`);
  if (!opts.create) {
    throw new MasterKeyError(
      `No master key: set REALNAME_MASTER_KEY (32 bytes, base64) or provide the key file ${opts.keyFile}`,
    );
  }
  mkdirSync(dirname(opts.keyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process created a moment ago.
    writeFileSync(opts.keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return decodeKey(readFileSync(opts.keyFile, 'utf8'), `key file ${opts.keyFile}`);
  }
  return key;
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function decodeKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && !/^[A-Za-z0-9_-]+$/.test(trimmed)) {
    throw new MasterKeyError(`Master key from ${origin} is not base64`);
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`Master key from ${origin} must be ${MASTER_KEY_BYTES} bytes (base64), got ${key.length}`);
  }
  return key;
}
