import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import type { SpendResult } from '../../src/store/types.ts';
import { admit } from '../../src/store/window.ts';
import { auditRecord, h, makeApp, makeSecret, row, storeContract } from './contract.ts';
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

  it('decides the checks of one turn in call order, exactly as window.ts and a quota would one by one', async () => {
    const store = openSqliteStore({ file });
    await store.apps.create(makeApp('1000001', { quota: 40 }), makeSecret('AKIDa', '1000001'));
    let quota = 40;
    const windows = new Map<string, number[]>();
    const t0 = 1_700_000_000_000;
    // Turns of concurrent checks on two keys, arriving out of order (clocks of processes differ),
    // with limits that change between checks and instants that leave the window within a turn.
    const check = fc.record({
      key: fc.constantFrom('qps:a', 'qps:b'),
      limit: fc.integer({ min: 0, max: 5 }),
      offset: fc.integer({ min: 0, max: 2500 }),
      reserve: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(check, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }), async (turns) => {
        for (const turn of turns) {
          const expected = turn.map(({ key, limit, offset, reserve }): SpendResult => {
            let times = windows.get(key);
            if (!times) windows.set(key, (times = []));
            if (!admit(times, limit, t0 + offset)) return 'rate_limited';
            if (!reserve) return 'ok';
            if (quota === 0) return 'quota_exhausted';
            quota--;
            return 'ok';
          });
          const got = await Promise.all(turn.map((c) => store.spender!.spend('1000001', { key: c.key, limit: c.limit }, t0 + c.offset, c.reserve)));
          expect(got).toEqual(expected);
        }
        expect((await store.apps.get('1000001'))?.quota).toBe(quota);
      }),
      { numRuns: 60 },
    );
    await store.close();
  });

  it('opens a data dir written before the per-instant rate window, and counts from there', async () => {
    openSqliteStore({ file }).close();
    const old = new Database(file);
    old.exec(`DROP TABLE rate; DROP TABLE rate_hits;
      CREATE TABLE rate (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, last_at REAL NOT NULL);
      CREATE TABLE rate_admissions (key TEXT NOT NULL, n INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID;
      INSERT INTO rate VALUES ('qps:1000001', 1, 1000);
      INSERT INTO rate_admissions VALUES ('qps:1000001', 0, 1000);
      UPDATE schema_version SET version = 2;`);
    old.close();
    const store = openSqliteStore({ file });
    expect(await store.rate.take('qps:1000001', 1, 2000)).toBe(true);
    expect(await store.rate.take('qps:1000001', 1, 2999)).toBe(false);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
    db.close();
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
