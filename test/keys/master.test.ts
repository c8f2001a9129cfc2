import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../src/keys/master.ts';

describe('loadMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'realname-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 32-byte key file with mode 0600 (and its parent dir) on first run, then reads it back', () => {
    const keyFile = join(dir, 'nested', 'data', 'master.key');
    const first = loadMasterKey({ keyFile, create: true });
    expect(first).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toEqual(first);
    expect(loadMasterKey({ keyFile, create: true })).toEqual(first);
    expect(loadMasterKey({ keyFile, create: false })).toEqual(first);
  });

  it('prefers REALNAME_MASTER_KEY over the key file, and does not create a file then', () => {
    const keyFile = join(dir, 'master.key');
    const envKey = Buffer.alloc(32, 7);
    expect(loadMasterKey({ env: envKey.toString('base64'), keyFile, create: true })).toEqual(envKey);
    expect(() => statSync(keyFile)).toThrow();
  });

  it('ignores an empty env value', () => {
    const keyFile = join(dir, 'master.key');
    writeFileSync(keyFile, Buffer.alloc(32, 1).toString('base64'));
    expect(loadMasterKey({ env: '', keyFile, create: false })).toEqual(Buffer.alloc(32, 1));
  });

  it('refuses to run without a key when not asked to create one', () => {
    expect(() => loadMasterKey({ keyFile: join(dir, 'missing.key'), create: false })).toThrow(/REALNAME_MASTER_KEY/);
  });

  it('rejects keys that are not 32 bytes or not base64, naming where they came from', () => {
    const keyFile = join(dir, 'master.key');
    expect(() => loadMasterKey({ env: Buffer.alloc(16).toString('base64'), keyFile, create: false })).toThrow(
      /REALNAME_MASTER_KEY must be 32 bytes.*got 16/,
    );
    expect(() => loadMasterKey({ env: 'not base64 at all!', keyFile, create: false })).toThrow(/not base64/);
    writeFileSync(keyFile, Buffer.alloc(31).toString('base64'));
    expect(() => loadMasterKey({ keyFile, create: true })).toThrow(/master\.key must be 32 bytes/);
  });
});
