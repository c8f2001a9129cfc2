import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { auditRecord, h, makeApp, makeSecret, row, storeContract } from './contract.ts';

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

  it('keeps apps, quota, registry, nonces and buffered audit records across a reopen', async () => {
    const first = openStore({ kind: 'sqlite', file });
    await first.apps.create(makeApp('1000001', { quota: 5 }), makeSecret('AKIDa', '1000001'));
    await first.apps.reserveQuota('1000001');
    await first.registry.importBatch([row('p1', 'n1', 'c1', 'ph1'), row('p1', 'n1', null)]);
    await first.nonces.claim('sig:a', 60_000, 1000);
    first.audit.write(auditRecord('chk-unflushed', 1, '1000001'));
    await first.close();

    const again = openSqliteStore({ file });
    expect((await again.apps.get('1000001'))?.quota).toBe(4);
    expect(await again.apps.getSecret('AKIDa')).toEqual(makeSecret('AKIDa', '1000001'));
    expect(await again.registry.count()).toBe(2);
    expect((await again.registry.lookup(h('p1'))).map((r) => r.cardHash === null).sort()).toEqual([false, true]);
    expect(await again.nonces.claim('sig:a', 60_000, 2000)).toBe(false);
    expect((await again.audit.query({ appid: '1000001' })).map((r) => r.checkId)).toEqual(['chk-unflushed']);
    await again.close();
  });

  it('writes audit records on its own soon after write(), in batches', async () => {
    const store = openSqliteStore({ file });
    for (let i = 0; i < 600; i++) store.audit.write(auditRecord(`chk-${i}`, i, '1000001'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const peek = new Database(file, { readonly: true });
    expect((peek.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n).toBe(600);
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

  it('shows a replace committed by another connection to an open store', async () => {
    const reader = openSqliteStore({ file });
    const writer = openSqliteStore({ file });
    await reader.registry.importBatch([row('old', 'n', null)]);
    expect(await reader.registry.lookup(h('old'))).toHaveLength(1);
    const replace = await writer.registry.beginReplace();
    await replace.importBatch([row('new', 'n', null)]);
    expect(await reader.registry.lookup(h('new'))).toEqual([]);
    await replace.commit();
    expect(await reader.registry.lookup(h('old'))).toEqual([]);
    expect(await reader.registry.lookup(h('new'))).toHaveLength(1);
    await writer.close();
    await reader.close();
  });
});
