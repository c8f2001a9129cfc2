import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoreStep } from '../../src/access/index.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { createDailyLimits } from '../../src/service/daily.ts';
import { createVerifier } from '../../src/service/verifier.ts';
import { storeCounters } from '../../src/service/spend.ts';
import { createRouter } from '../../src/sources/router.ts';
import type { Source } from '../../src/sources/types.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { App, Store } from '../../src/store/types.ts';

const [alice, bob] = [...generateIdentities(2, 'daily')];
const ORDER: CoreStep[] = ['rate', 'validate', 'daily', 'quota'];
/** 2026-03-15 10:00 in Asia/Shanghai. */
const MORNING = Date.UTC(2026, 2, 15, 2, 0, 0);

async function house(app: Partial<App>, store: Store = openMemoryStore()) {
  let now = MORNING;
  let asked = 0;
  const source: Source = { name: 'fixed', supports: () => true, check: async () => (asked++, { verdict: 'match' }) };
  const full: App = {
    appid: '1250000001', name: 't', bucket: 'default', buckets: ['default'], qps: null, quota: null, checks: null, ipAllow: null,
    dailyPerId: null, dailyPerName: null, suspended: false, replayGuard: true, appkeySealed: 'x', createdAt: 0, ...app,
  };
  await store.apps.create(full, { secretId: 'AKID1', appid: full.appid, secretKeySealed: 'x', revoked: false, createdAt: 0 });
  const verifier = createVerifier(store.apps, createRouter([source], { timeoutMs: 100 }), () => now, storeCounters(store), createDailyLimits(store.daily, randomBytes(32)));
  const check = async (person = alice!, order: CoreStep[] = ORDER) => {
    const app = (await store.apps.get(full.appid))!;
    const result = await verifier.verify({ checkId: 'c', app, kind: 'idcard2', factors: { idNumber: person.idNumber, name: person.name }, order });
    return 'outcome' in result ? result.outcome.verdict : result.refusal;
  };
  return { store, check, asked: () => asked, setNow: (ms: number) => void (now = ms), quota: async () => (await store.apps.get(full.appid))?.quota };
}

describe('identity daily limits in the check path', () => {
  it('answer daily_limited past the per-ID limit, without asking a source or billing', async () => {
    const h = await house({ dailyPerId: 2, quota: 10 });
    expect([await h.check(), await h.check()]).toEqual(['match', 'match']);
    expect(await h.check()).toBe('daily_limited');
    expect(h.asked()).toBe(2);
    expect(await h.quota()).toBe(8);
    // Another person is counted apart.
    expect(await h.check(bob)).toBe('match');
  });

  it('count one name across ID numbers with the per-name limit', async () => {
    const h = await house({ dailyPerName: 2 });
    const sameName = { ...bob!, name: alice!.name };
    expect([await h.check(alice), await h.check(sameName)]).toEqual(['match', 'match']);
    expect(await h.check(alice)).toBe('daily_limited');
    expect(await h.check(bob)).toBe('match');
  });

  it('start again on the next calendar day in Asia/Shanghai (16:00 UTC), not at UTC midnight', async () => {
    const h = await house({ dailyPerId: 1 });
    h.setNow(Date.UTC(2026, 2, 15, 15, 59, 59));
    expect(await h.check()).toBe('match');
    expect(await h.check()).toBe('daily_limited');
    h.setNow(Date.UTC(2026, 2, 15, 16, 0, 0));
    expect(await h.check()).toBe('match');
    h.setNow(Date.UTC(2026, 2, 16, 0, 0, 0));
    expect(await h.check()).toBe('daily_limited');
  });

  it('count nothing for invalid input, nor for a check the quota refuses', async () => {
    const h = await house({ dailyPerId: 1, quota: 0 });
    expect(await h.check({ ...alice!, idNumber: alice!.idNumber.slice(0, 17) + (alice!.idNumber.endsWith('1') ? '2' : '1') })).toBe('invalid');
    expect(await h.check()).toBe('quota_exhausted');
    expect(await h.check()).toBe('quota_exhausted');
    await h.store.apps.update('1250000001', { quota: 5 });
    expect(await h.check()).toBe('match');
    expect(await h.check()).toBe('daily_limited');
  });

  it('are not counted where the order has no daily step', async () => {
    const h = await house({ dailyPerId: 1 });
    for (let i = 0; i < 3; i++) expect(await h.check(alice, ['rate', 'validate', 'quota'])).toBe('match');
    expect(await h.check()).toBe('match');
    expect(await h.check()).toBe('daily_limited');
  });

  it('keep keyed hashes only: the database file holds no ID number or name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-daily-'));
    try {
      const store = openSqliteStore({ file: join(dir, 'realname.db') });
      const h = await house({ dailyPerId: 5, dailyPerName: 5 }, store);
      for (const p of [alice!, bob!]) expect(await h.check(p)).toBe('match');
      await store.close();
      const bytes = Buffer.concat(['realname.db', 'realname.db-wal'].map((f) => { try { return readFileSync(join(dir, f)); } catch { return Buffer.alloc(0); } }));
      for (const p of [alice!, bob!]) {
        expect(bytes.includes(Buffer.from(p.idNumber))).toBe(false);
        expect(bytes.includes(Buffer.from(p.name))).toBe(false);
      }
      // Two people, two factors each: four keys of the day, none of them readable.
      const db = new Database(join(dir, 'realname.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) FROM daily').pluck().get()).toBe(4);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
