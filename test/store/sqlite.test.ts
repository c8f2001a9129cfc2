import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { auditRecord, h, row, storeContract } from './contract.ts';
import { durableStoreContract } from './durable.ts';

const dirs: string[] = [];
const freshFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'realname-sqlite-'));
  dirs.push(dir);
  return join(dir, 'data', 'realname.db');
};
const removeDirs = () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};

storeContract('sqlite', () => openSqliteStore({ file: freshFile() }), removeDirs);

describe('sqlite store on disk', () => {
  let file: string;
  beforeEach(() => {
    file = freshFile();
  });
  afterEach(removeDirs);

  durableStoreContract('sqlite', () => ({ kind: 'sqlite', file }));

  it('writes audit records on its own soon after write(), in batches', async () => {
    const store = openSqliteStore({ file });
    for (let i = 0; i < 600; i++) store.audit.write(auditRecord(`chk-${i}`, i, '1000001'));
    const peek = new Database(file, { readonly: true });
    await expect.poll(() => (peek.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n).toBe(600);
    peek.close();
    await store.close();
  });

  it('records its schema version, migrates idempotently, and stores only hashes in the registry', async () => {
    openSqliteStore({ file }).close();
    const store = openSqliteStore({ file });
    await store.registry.importBatch([row('p1', 'n1', 'c1')]);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SCHEMA_VERSION }]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const stored = db.prepare('SELECT * FROM registry').get() as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['card_hash', 'id_hash', 'key_id', 'name_hash', 'norm_version', 'phone_hash']);
    expect(stored.id_hash).toEqual(h('p1'));
    db.close();
  });

  it('refuses a database written by a newer Realname', async () => {
    openSqliteStore({ file }).close();
    const db = new Database(file);
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => openSqliteStore({ file })).toThrow(/newer than this Realname/);
  });

  it('leaves no staging table behind after a commit or an abort', async () => {
    const store = openSqliteStore({ file });
    const a = await store.registry.beginReplace();
    await a.importBatch([row('p1', 'n1', null)]);
    await a.abort();
    const b = await store.registry.beginReplace();
    await b.importBatch([row('p2', 'n2', null)]);
    await b.commit();
    await store.close();
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'registry%'").pluck().all();
    expect(tables).toEqual(['registry']);
    db.close();
  });
});
