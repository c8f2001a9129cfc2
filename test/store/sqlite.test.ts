import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { migrate, SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
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

  it('shows a check the registry rows another process imported by the next turn of the event loop', async () => {
    const serving = openSqliteStore({ file });
    const importer = openSqliteStore({ file });
    const found = async () => (await serving.registry.match(h('p1'), h('n1'), h('c1'))).found;
    try {
      // The serving store checks before the import commits, then again a turn of the event loop later.
      expect(await found()).toBe(false);
      await importer.registry.importBatch([row('p1', 'n1', 'c1')]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await found()).toBe(true);
      // No read snapshot of the serving store outlives its check: another connection can checkpoint the whole WAL.
      const peek = new Database(file);
      const [r] = peek.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      peek.close();
      expect(r).toEqual({ busy: 0, log: 0, checkpointed: 0 });
    } finally {
      await importer.close();
      await serving.close();
    }
  });

  it('decides the checks of one turn in call order, exactly as window.ts and a quota would one by one', async () => {
    const store = openSqliteStore({ file });
    const windows = new Map<string, number[]>();
    const t0 = 1_700_000_000_000;
    let run = 0;
    // Turns of concurrent checks on two keys, arriving out of order (clocks of processes differ),
    // with limits that change between checks and instants that leave the window within a turn.
    // Whole ms as Date.now() gives, and fractions (stored another way); small and large limits.
    // A turn starts `advance` ms after the earliest arrival of the one before (so an idle key is only
    // forgotten when no later arrival could still see it) and spreads its arrivals over 2.5 s.
    const check = fc.record({
      key: fc.constantFrom('a', 'b'),
      limit: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 20, max: 60 })),
      offset: fc.oneof(fc.integer({ min: 0, max: 2500 }), fc.double({ min: 0, max: 2500, noNaN: true })),
      reserve: fc.boolean(),
    });
    const turnOf = fc.record({ advance: fc.integer({ min: 0, max: 1500 }), checks: fc.array(check, { minLength: 1, maxLength: 30 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(turnOf, { minLength: 1, maxLength: 8 }), async (turns) => {
        // Every run (and every shrunk rerun) on keys and an app of its own.
        const appid = String(1_000_000 + run++);
        const prefix = `qps:${appid}:`;
        await store.apps.create(makeApp(appid, { quota: 400 }), makeSecret(`AKID${appid}`, appid));
        let quota = 400;
        let base = t0;
        for (const { advance, checks } of turns) {
          const turn = checks.map((c) => ({ ...c, at: base + c.offset }));
          base = Math.min(...turn.map((c) => c.at)) + advance;
          const expected = turn.map(({ key, limit, at, reserve }): SpendResult => {
            let times = windows.get(prefix + key);
            if (!times) windows.set(prefix + key, (times = []));
            if (!admit(times, limit, at)) return 'rate_limited';
            if (!reserve) return 'ok';
            if (quota === 0) return 'quota_exhausted';
            quota--;
            return 'ok';
          });
          const got = await Promise.all(turn.map((c) => store.spender!.spend(appid, { key: prefix + c.key, limit: c.limit }, c.at, c.reserve)));
          expect(got).toEqual(expected);
        }
        expect((await store.apps.get(appid))?.quota).toBe(quota);
      }),
      {
        numRuns: 60,
        // A turn whose far arrival (limit 0) reads instants that its admission does not drop, while
        // later instants stay encoded: the stored row is rebuilt around them, then read back.
        examples: [
          [
            [
              // Arrivals at t0 + 0, 100, 200, 260, 300; then 1150 and 1250; then 1205, 1260, 1299, 1301.
              ...[0, 100, 100, 60, 40].map((offset) => ({ advance: 0, checks: [{ key: 'a', limit: 10, offset, reserve: false }] })),
              {
                advance: 0,
                checks: [
                  { key: 'a', limit: 10, offset: 850, reserve: false },
                  { key: 'a', limit: 0, offset: 950, reserve: false },
                ],
              },
              ...[55, 55, 39, 2].map((offset) => ({ advance: 0, checks: [{ key: 'a', limit: 4, offset, reserve: false }] })),
            ],
          ],
        ],
      },
    );
    await store.close();
  });

  it('opens a data dir written before the per-instant rate window, and counts from there', async () => {
    // A data dir at schema version 2, made by the migrations of the time.
    mkdirSync(dirname(file), { recursive: true });
    const old = new Database(file);
    migrate(old, 2);
    old.exec(`INSERT INTO rate VALUES ('qps:1000001', 1, 1000);
      INSERT INTO rate_admissions VALUES ('qps:1000001', 0, 1000);`);
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

  it('answers a card check from the card index, also after a replace and on a data dir migrated from before it', async () => {
    const plan = (db: Database.Database) =>
      (db.prepare('EXPLAIN QUERY PLAN SELECT count(*), max(name_hash = ?) FROM registry WHERE card_hash = ? AND length(card_hash) > 0').all(h('n1'), h('c1')) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    // A data dir from before the index: version 4, rows already there.
    const first = openSqliteStore({ file });
    await first.registry.importBatch([row('p1', 'n1', 'c1'), row('p2', 'n2', null)]);
    await first.close();
    const old = new Database(file);
    const [index] = old.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registry' AND sql LIKE '%card_hash%'").pluck().all() as string[];
    old.exec(`DROP INDEX ${index}; UPDATE schema_version SET version = 4;`);
    old.close();
    const store = openSqliteStore({ file });
    expect(await store.registry.matchCard(h('c1'), h('n1'))).toEqual({ found: true, nameMatches: true });
    const replace = await store.registry.beginReplace();
    await replace.importBatch([row('p3', 'n3', 'c3')]);
    await replace.commit();
    expect(await store.registry.matchCard(h('c3'), h('n3'))).toEqual({ found: true, nameMatches: true });
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
    expect(plan(db)).toMatch(/USING COVERING INDEX registry\w*_by_card/);
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
