import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyIdOf } from './derive.ts';

export const MASTER_KEY_BYTES = 32;

/** A missing or malformed master key: the user's to fix, reported without a stack trace. */
export class MasterKeyError extends Error {}

export interface LoadMasterKeyOptions {
  /** Value of REALNAME_MASTER_KEY (base64; several comma-separated); wins over the key file when non-empty. */
  env?: string;
  keyFile: string;
  /** Create the key file (mode 0600) with a fresh random key when it does not exist. */
  create: boolean;
}

/** The master keys a process holds: one, or several while a rotation is under way (a key ring). */
export interface MasterKeys {
  /** Oldest first, as written; empty when none was given and none was created. */
  keys: Buffer[];
  /** Where they came from, for messages: "REALNAME_MASTER_KEY" or "key file <path>". */
  origin: string;
  /** The key file, when the keys came from it (a rotation can add to it). */
  file?: string;
  /** A new key file was written just now. */
  created: boolean;
}

/**
 * The master keys everything else is derived from. Losing them makes the registry's hashes and the
 * sealed signing keys unusable, so a missing key file is created only when the caller asks (a new store).
 * The key file holds one base64 key a line; blank lines and lines starting with # are ignored.
 */
export function loadMasterKeys(opts: LoadMasterKeyOptions): MasterKeys {
  if (opts.env !== undefined && opts.env.trim() !== '') {
    return { keys: decodeKeys(opts.env.split(','), 'REALNAME_MASTER_KEY'), origin: 'REALNAME_MASTER_KEY', created: false };
  }
  const origin = `key file ${opts.keyFile}`;
  const existing = readKeyFile(opts.keyFile);
  if (existing !== undefined) return { keys: decodeKeys(keyLines(existing), origin), origin, file: opts.keyFile, created: false };
  if (!opts.create) return { keys: [], origin, file: opts.keyFile, created: false };
  mkdirSync(dirname(opts.keyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process created a moment ago.
    writeFileSync(opts.keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { keys: decodeKeys(keyLines(readFileSync(opts.keyFile, 'utf8')), origin), origin, file: opts.keyFile, created: false };
  }
  return { keys: [key], origin, file: opts.keyFile, created: true };
}

/** The one (newest) master key; throws when there is none. For callers that never rotate (tools, benches). */
export function loadMasterKey(opts: LoadMasterKeyOptions): Buffer {
  const { keys } = loadMasterKeys(opts);
  const key = keys.at(-1);
  if (!key) {
    throw new MasterKeyError(`No master key: set REALNAME_MASTER_KEY (32 bytes, base64) or provide the key file ${opts.keyFile}`);
  }
  return key;
}

/** Adds a fresh key at the end of the key file (created, mode 0600, when missing); returns it. */
export function addKeyToFile(file: string, now: Date = new Date()): Buffer {
  const key = randomBytes(MASTER_KEY_BYTES);
  const before = readKeyFile(file) ?? '';
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  rewriteKeyFile(file, `${before}${separator}# key ${keyIdOf(key)}, added ${now.toISOString()}\n${key.toString('base64')}\n`);
  return key;
}

/** Takes a key (and the comment naming it) out of the key file; false when the file does not hold it. */
export function removeKeyFromFile(file: string, keyId: string): boolean {
  const text = readKeyFile(file);
  if (text === undefined) return false;
  const lines = text.split('\n');
  const kept: string[] = [];
  let removed = false;
  for (const line of lines) {
    const token = line.trim();
    if (token !== '' && !token.startsWith('#') && isBase64(token) && keyIdOf(decodeKey(token, file)) === keyId) {
      if (kept.at(-1)?.startsWith(`# key ${keyId}`)) kept.pop();
      removed = true;
      continue;
    }
    kept.push(line);
  }
  if (removed) rewriteKeyFile(file, kept.join('\n'));
  return removed;
}

/** Through a temporary file and a rename: a crash never leaves half a key file. */
function rewriteKeyFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function keyLines(text: string): string[] {
  return text.split('\n').filter((line) => !line.trim().startsWith('#'));
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // readFileSync's own EISDIR names no path: name the file and the setting
    const why = code === 'EISDIR' ? 'it is a directory, not a file' : code === 'EACCES' ? 'permission denied' : undefined;
    if (why) throw new MasterKeyError(`cannot read the key file ${file}: ${why}; check --key-file / REALNAME_KEY_FILE`);
    throw err;
  }
}

const isBase64 = (text: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[A-Za-z0-9_-]+$/.test(text);

/** Every value must be base64 before any length is judged: a garbled value is named for what it is. */
function decodeKeys(values: string[], origin: string): Buffer[] {
  const tokens = values.map((v) => v.trim()).filter(Boolean);
  if (tokens.length === 0) throw new MasterKeyError(`${origin} holds no key`);
  if (!tokens.every(isBase64)) throw new MasterKeyError(`Master key from ${origin} is not base64`);
  const keys = tokens.map((t) => decodeKey(t, origin));
  // The same key twice is one key.
  return keys.filter((k, i) => keys.findIndex((other) => other.equals(k)) === i);
}

function decodeKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (!isBase64(trimmed)) throw new MasterKeyError(`Master key from ${origin} is not base64`);
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`Master key from ${origin} must be ${MASTER_KEY_BYTES} bytes (base64), got ${key.length}`);
  }
  return key;
}
