import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpend } from '../../src/service/spend.ts';
import { AppNameTaken, type App, type AuditRecord, type BatchChunk, type BatchRecord, type RegistryRow, type Secret, type SourceRecord, type Store, type StoredKey } from '../../src/store/types.ts';

/**
 * The one behaviour every storage backend must show. Each backend's test file calls this with a
 * factory that opens a fresh, empty store (and an optional cleanup run after it is closed).
 */
export function storeContract(
  name: string,
  open: () => Promise<Store> | Store,
  cleanup?: () => Promise<void> | void,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    describe('apps', () => {
      it('creates an app with its first secret and reads both back unchanged', async () => {
        const app = makeApp('1000001', { qps: 5, quota: 10, checks: ['idcard2'], ipAllow: ['10.0.0.0/8'] });
        const secret = makeSecret('AKIDfirst', '1000001');
        await store.apps.create(app, secret);
        expect(await store.apps.get('1000001')).toEqual(app);
        expect(await store.apps.getSecret('AKIDfirst')).toEqual(secret);
        expect(await store.apps.listSecrets('1000001')).toEqual([secret]);
        expect(await store.apps.get('9999999')).toBeUndefined();
        expect(await store.apps.getSecret('AKIDnone')).toBeUndefined();
      });

      it('refuses a second app with the same appid', async () => {
        await store.apps.create(makeApp('1000001'), makeSecret('AKIDa', '1000001'));
        await expect(store.apps.create(makeApp('1000001'), makeSecret('AKIDb', '1000001'))).rejects.toThrow();
        expect(await store.apps.getSecret('AKIDb')).toBeUndefined();
      });

      it('lists apps in creation order', async () => {
        await store.apps.create(makeApp('1000002', { createdAt: 2 }), makeSecret('AKIDb', '1000002'));
        await store.apps.create(makeApp('1000001', { createdAt: 1 }), makeSecret('AKIDa', '1000001'));
        expect((await store.apps.list()).map((a) => a.appid)).toEqual(['1000001', '1000002']);
      });

      it('patches only the given fields, and null means unlimited / any', async () => {
        const app = makeApp('1000001', { qps: 5, quota: 10, checks: ['idcard2'], ipAllow: ['10.0.0.0/8'] });
        await store.apps.create(app, makeSecret('AKIDa', '1000001'));
        const suspended = await store.apps.update('1000001', { suspended: true });
        expect(suspended).toEqual({ ...app, suspended: true });
        const relaxed = await store.apps.update('1000001', { qps: null, quota: 3, checks: null, ipAllow: null });
        expect(relaxed).toEqual({ ...app, suspended: true, qps: null, quota: 3, checks: null, ipAllow: null });
        await store.apps.update('1000001', { name: 'renamed', buckets: ['bucket', 'extra'], replayGuard: true });
        expect(await store.apps.get('1000001')).toEqual({
          ...app,
          suspended: true,
          qps: null,
          quota: 3,
          checks: null,
          ipAllow: null,
          name: 'renamed',
          buckets: ['bucket', 'extra'],
          replayGuard: true,
        });
        expect(await store.apps.update('9999999', { suspended: true })).toBeUndefined();
      });

      it('keeps identity daily limits, off until set, and lifts them with null', async () => {
        const app = makeApp('1000001');
        await store.apps.create(app, makeSecret('AKIDa', '1000001'));
        expect(await store.apps.get('1000001')).toMatchObject({ dailyPerId: null, dailyPerName: null });
        expect(await store.apps.update('1000001', { dailyPerId: 3 })).toEqual({ ...app, dailyPerId: 3 });
        expect(await store.apps.update('1000001', { dailyPerName: 5 })).toEqual({ ...app, dailyPerId: 3, dailyPerName: 5 });
        expect(await store.apps.update('1000001', { dailyPerId: null })).toEqual({ ...app, dailyPerName: 5 });
        await store.apps.create(makeApp('1000002', { dailyPerId: 1, dailyPerName: 2 }), makeSecret('AKIDb', '1000002'));
        expect(await store.apps.get('1000002')).toMatchObject({ dailyPerId: 1, dailyPerName: 2 });
      });

      it('adds and revokes secrets per app', async () => {
        await store.apps.create(makeApp('1000001'), makeSecret('AKIDa', '1000001'));
        await store.apps.create(makeApp('1000002'), makeSecret('AKIDother', '1000002'));
        const second = makeSecret('AKIDb', '1000001', 2);
        await store.apps.addSecret(second);
        expect((await store.apps.listSecrets('1000001')).map((s) => s.secretId)).toEqual(['AKIDa', 'AKIDb']);
        expect(await store.apps.revokeSecret('1000001', 'AKIDa')).toBe(true);
        expect((await store.apps.getSecret('AKIDa'))?.revoked).toBe(true);
        expect((await store.apps.getSecret('AKIDb'))?.revoked).toBe(false);
        // Another app's secret or an unknown one cannot be revoked through this app.
        expect(await store.apps.revokeSecret('1000001', 'AKIDother')).toBe(false);
        expect((await store.apps.getSecret('AKIDother'))?.revoked).toBe(false);
        expect(await store.apps.revokeSecret('1000001', 'AKIDnone')).toBe(false);
      });

      it('hands out exactly the quota under 150 concurrent reservations', async () => {
        await store.apps.create(makeApp('1000001', { quota: 100 }), makeSecret('AKIDa', '1000001'));
        const results = await Promise.all(Array.from({ length: 150 }, () => store.apps.reserveQuota('1000001')));
        expect(results.filter(Boolean)).toHaveLength(100);
        expect((await store.apps.get('1000001'))?.quota).toBe(0);
        expect(await store.apps.reserveQuota('1000001')).toBe(false);
      });

      it('gives a released unit back, once', async () => {
        await store.apps.create(makeApp('1000001', { quota: 1 }), makeSecret('AKIDa', '1000001'));
        expect(await store.apps.reserveQuota('1000001')).toBe(true);
        expect(await store.apps.reserveQuota('1000001')).toBe(false);
        await store.apps.releaseQuota('1000001');
        expect((await store.apps.get('1000001'))?.quota).toBe(1);
        expect(await store.apps.reserveQuota('1000001')).toBe(true);
        expect(await store.apps.reserveQuota('1000001')).toBe(false);
      });

      it('never runs out on an unlimited app, and refuses an unknown one', async () => {
        await store.apps.create(makeApp('1000001', { quota: null }), makeSecret('AKIDa', '1000001'));
        for (let i = 0; i < 20; i++) expect(await store.apps.reserveQuota('1000001')).toBe(true);
        await store.apps.releaseQuota('1000001');
        expect((await store.apps.get('1000001'))?.quota).toBeNull();
        expect(await store.apps.reserveQuota('9999999')).toBe(false);
      });

      it('sets the remaining balance through update', async () => {
        await store.apps.create(makeApp('1000001', { quota: 0 }), makeSecret('AKIDa', '1000001'));
        expect(await store.apps.reserveQuota('1000001')).toBe(false);
        await store.apps.update('1000001', { quota: 2 });
        expect(await store.apps.reserveQuota('1000001')).toBe(true);
        expect(await store.apps.reserveQuota('1000001')).toBe(true);
        expect(await store.apps.reserveQuota('1000001')).toBe(false);
      });
    });

    describe('rate limiter', () => {
      it('admits N in a second, refuses the N+1th, and admits again once the oldest leaves the window', async () => {
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 3; i++) expect(await store.rate.take('app:1', 3, t0 + i * 100)).toBe(true);
        expect(await store.rate.take('app:1', 3, t0 + 300)).toBe(false);
        expect(await store.rate.take('app:1', 3, t0 + 999)).toBe(false);
        // The first admission (t0) leaves (t - 1000, t] at t0 + 1000.
        expect(await store.rate.take('app:1', 3, t0 + 1000)).toBe(true);
        expect(await store.rate.take('app:1', 3, t0 + 1050)).toBe(false);
        expect(await store.rate.take('app:1', 3, t0 + 1100)).toBe(true);
        // Keys are independent.
        expect(await store.rate.take('app:2', 3, t0 + 300)).toBe(true);
      });

      it('never admits more than N in any 1000 ms, exactly as the sliding window says', async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 6 }),
            fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
            async (limit, offsets) => {
              const key = `prop:${run++}`;
              const arrivals = [...offsets].sort((a, b) => a - b).map((o) => 1_700_000_000_000 + o);
              const admitted: number[] = [];
              for (const t of arrivals) {
                const expected = admitted.filter((a) => a > t - 1000).length < limit;
                const got = await store.rate.take(key, limit, t);
                expect(got).toBe(expected);
                if (got) admitted.push(t);
              }
              for (const a of admitted) {
                expect(admitted.filter((b) => b >= a && b < a + 1000).length).toBeLessThanOrEqual(limit);
              }
            },
          ),
          { numRuns: 150 },
        );
      });

      it('follows a changed limit at once', async () => {
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 5; i++) expect(await store.rate.take('app:1', 5, t0 + i)).toBe(true);
        expect(await store.rate.take('app:1', 2, t0 + 10)).toBe(false);
        expect(await store.rate.take('app:1', 6, t0 + 10)).toBe(true);
        expect(await store.rate.take('app:1', 6, t0 + 11)).toBe(false);
      });
    });

    describe('a check\'s spend (rate window, then quota)', () => {
      it('lets concurrent checks through the window first, then bills valid ones against the quota, exactly', async () => {
        const app = makeApp('1000001', { qps: 4, quota: 2 });
        await store.apps.create(app, makeSecret('AKIDa', '1000001'));
        const spend = createSpend(store);
        const t0 = 1_700_000_000_000;
        // Invalid input spends the window but is never billed.
        expect(await spend(app, false, t0)).toBe('ok');
        const results = await Promise.all(Array.from({ length: 6 }, () => spend(app, true, t0 + 1)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(2);
        expect(results.filter((r) => r === 'quota_exhausted')).toHaveLength(1);
        expect(results.filter((r) => r === 'rate_limited')).toHaveLength(3);
        expect((await store.apps.get('1000001'))?.quota).toBe(0);
        // A refused check spends nothing: the window frees up a second after the admitted ones.
        expect(await spend(app, false, t0 + 999)).toBe('rate_limited');
        expect(await spend(app, false, t0 + 1000)).toBe('ok');
      });
    });

    describe('daily counts', () => {
      const day = 20260315;
      const k = (limit: number, ...names: string[]) => names.map((n) => ({ key: h(n), limit }));

      it('counts a key up to its limit in a day, then refuses it; another day or key starts again', async () => {
        for (let i = 0; i < 3; i++) expect(await store.daily.take(day, k(3, 'id:a'))).toBe(true);
        expect(await store.daily.take(day, k(3, 'id:a'))).toBe(false);
        expect(await store.daily.take(day, k(4, 'id:a'))).toBe(true);
        expect(await store.daily.take(day, k(3, 'id:b'))).toBe(true);
        expect(await store.daily.take(day + 1, k(1, 'id:a'))).toBe(true);
        expect(await store.daily.take(day + 1, k(1, 'id:a'))).toBe(false);
      });

      it('takes every key of a check or none of them', async () => {
        expect(await store.daily.take(day, [{ key: h('name:x'), limit: 1 }])).toBe(true);
        // The name is at its limit: the ID number is not counted either.
        expect(await store.daily.take(day, [{ key: h('id:y'), limit: 1 }, { key: h('name:x'), limit: 1 }])).toBe(false);
        expect(await store.daily.take(day, [{ key: h('id:y'), limit: 1 }])).toBe(true);
        expect(await store.daily.take(day, [{ key: h('id:y'), limit: 1 }])).toBe(false);
      });

      it('gives a released unit back, never below zero', async () => {
        expect(await store.daily.take(day, k(1, 'id:a', 'name:a'))).toBe(true);
        expect(await store.daily.take(day, k(1, 'id:a'))).toBe(false);
        await store.daily.release(day, [h('id:a'), h('name:a')]);
        await store.daily.release(day, [h('id:a'), h('nothing')]);
        expect(await store.daily.take(day, k(1, 'id:a', 'name:a'))).toBe(true);
        expect(await store.daily.take(day, k(1, 'id:a'))).toBe(false);
      });

      it('admits exactly the limit under 60 concurrent takes of the same two keys', async () => {
        const results = await Promise.all(Array.from({ length: 60 }, () => store.daily.take(day, k(25, 'id:race', 'name:race'))));
        expect(results.filter(Boolean)).toHaveLength(25);
        expect(await store.daily.take(day, k(26, 'id:race'))).toBe(true);
        expect(await store.daily.take(day, k(26, 'name:race'))).toBe(true);
        expect(await store.daily.take(day, k(26, 'name:race'))).toBe(false);
      });
    });

    describe('leases', () => {
      const T0 = 1_700_000_000_000;
      const lease = (node: string, take: number, o: Partial<Parameters<Store['leases']['quota']>[0]> = {}) =>
        store.leases.quota({ appid: '1000001', node, take, give: 0, epoch: 0, ttlMs: 10_000, nowMs: T0, ...o });
      const remaining = async () => (await store.apps.get('1000001'))!.quota;

      it('hands out units in one write each, never more than the balance, shrinking near its end', async () => {
        await store.apps.create(makeApp('1000001', { quota: 100 }), makeSecret('AKIDa', '1000001'));
        expect(await lease('a', 80)).toMatchObject({ held: 50, balance: 50, heldElsewhere: 0, otherNodes: 0, epoch: 0 });
        // Two live nodes: at most a quarter of what is left.
        expect(await lease('b', 80)).toMatchObject({ held: 13, balance: 37, heldElsewhere: 50, otherNodes: 1 });
        expect(await lease('a', 1000)).toMatchObject({ held: 60, balance: 27 });
        // Leased units are still the app's: the quota reported is what is not yet billed.
        expect(await remaining()).toBe(100);
        expect(await lease('a', 0, { give: 60 })).toMatchObject({ held: 0, balance: 87 });
        expect(await remaining()).toBe(100);
        expect(await store.leases.quota({ appid: '9999999', node: 'a', take: 1, give: 0, epoch: 0, ttlMs: 1, nowMs: T0 })).toBeUndefined();
      });

      it('never grants more than the balance to many nodes at once', async () => {
        await store.apps.create(makeApp('1000001', { quota: 40 }), makeSecret('AKIDa', '1000001'));
        const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => lease(`n${i}`, 5)));
        expect(grants.reduce((sum, g) => sum + g!.held, 0)).toBe(40);
        expect(grants.every((g) => g!.held >= 0 && g!.held <= 5)).toBe(true);
        expect(await remaining()).toBe(40);
      });

      it("gives a lapsed node's unspent units back to the balance", async () => {
        await store.apps.create(makeApp('1000001', { quota: 10 }), makeSecret('AKIDa', '1000001'));
        await lease('dead', 4, { ttlMs: 1000 });
        expect(await lease('live', 0, { nowMs: T0 + 999 })).toMatchObject({ balance: 6, heldElsewhere: 4, otherNodes: 1 });
        expect(await lease('live', 0, { nowMs: T0 + 1000 })).toMatchObject({ balance: 10, heldElsewhere: 0, otherNodes: 0 });
      });

      it('voids every lease when the quota is set, and refunds nothing of the old epoch', async () => {
        await store.apps.create(makeApp('1000001', { quota: 10 }), makeSecret('AKIDa', '1000001'));
        await lease('a', 5);
        await store.apps.update('1000001', { quota: 3 });
        expect(await remaining()).toBe(3);
        expect(await lease('a', 0, { give: 5 })).toMatchObject({ held: 0, balance: 3, epoch: 1 });
        expect(await lease('a', 9, { epoch: 1 })).toMatchObject({ held: 2, balance: 1, epoch: 1 });
        await store.apps.update('1000001', { quota: null });
        expect(await lease('a', 9, { epoch: 2 })).toMatchObject({ held: 0, balance: null, epoch: 2 });
        expect(await remaining()).toBeNull();
      });

      it('asks the holders back when a node finds the balance spent', async () => {
        await store.apps.create(makeApp('1000001', { quota: 3 }), makeSecret('AKIDa', '1000001'));
        expect(await lease('a', 3)).toMatchObject({ held: 2, balance: 1 });
        expect(await lease('a', 3)).toMatchObject({ held: 3, balance: 0 });
        expect((await lease('b', 1))!.reclaimAt).toBe(0);
        expect(await lease('b', 1, { starving: true, nowMs: T0 + 5 })).toMatchObject({ held: 0, reclaimAt: T0 + 5 });
        expect((await store.leases.quotaState('1000001', 'a', T0 + 6))!.reclaimAt).toBe(T0 + 5);
        expect(await lease('a', 0, { give: 2, nowMs: T0 + 6 })).toMatchObject({ held: 1, balance: 2 });
      });

      it('gives a whole QPS limit to a lone node and the fair share under contention, each shrink free a second later', async () => {
        const rate = (node: string, want: number, nowMs: number, limit = 10) =>
          store.leases.rate({ appid: '1000001', node, limit, want, ttlMs: 2000, nowMs });
        expect(await rate('a', 10, T0)).toEqual({ share: 10, otherNodes: 0 });
        expect(await rate('b', 10, T0 + 100)).toEqual({ share: 0, otherNodes: 1 });
        // b wants more than it holds: a comes down to the fair share, and b may take it only a second later.
        expect(await rate('a', 10, T0 + 200)).toEqual({ share: 5, otherNodes: 1 });
        expect(await rate('b', 10, T0 + 1199)).toEqual({ share: 0, otherNodes: 1 });
        expect(await rate('b', 10, T0 + 1200)).toEqual({ share: 5, otherNodes: 1 });
        // a lapses at T0 + 2200: its share is free a second later.
        expect(await rate('b', 10, T0 + 3199)).toEqual({ share: 5, otherNodes: 0 });
        expect(await rate('b', 10, T0 + 3200)).toEqual({ share: 10, otherNodes: 0 });
      });

      it('gives back every lease and share of a node that shuts down', async () => {
        await store.apps.create(makeApp('1000001', { quota: 10 }), makeSecret('AKIDa', '1000001'));
        await lease('a', 6);
        await store.leases.rate({ appid: '1000001', node: 'a', limit: 4, want: 4, ttlMs: 2000, nowMs: T0 });
        await store.leases.release('a', T0);
        expect(await store.leases.quotaState('1000001', 'b', T0)).toMatchObject({ balance: 10, heldElsewhere: 0 });
        expect(await store.leases.rate({ appid: '1000001', node: 'b', limit: 4, want: 4, ttlMs: 2000, nowMs: T0 + 999 })).toMatchObject({ share: 0 });
        expect(await store.leases.rate({ appid: '1000001', node: 'b', limit: 4, want: 4, ttlMs: 2000, nowMs: T0 + 1000 })).toMatchObject({ share: 4 });
      });
    });

    describe('nonces', () => {
      it('accepts a key once, refuses it while remembered, and accepts it again after the TTL', async () => {
        const t0 = 1_700_000_000_000;
        expect(await store.nonces.claim('sig:a', 300_000, t0)).toBe(true);
        expect(await store.nonces.claim('sig:a', 300_000, t0 + 1)).toBe(false);
        expect(await store.nonces.claim('sig:a', 300_000, t0 + 299_999)).toBe(false);
        expect(await store.nonces.claim('sig:b', 300_000, t0 + 1)).toBe(true);
        expect(await store.nonces.claim('sig:a', 300_000, t0 + 300_000)).toBe(true);
        expect(await store.nonces.claim('sig:a', 300_000, t0 + 300_001)).toBe(false);
      });

      it('remembers every one of many keys while expired ones are purged', async () => {
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 2000; i++) expect(await store.nonces.claim(`old:${i}`, 10, t0 + i)).toBe(true);
        for (let i = 0; i < 500; i++) expect(await store.nonces.claim(`new:${i}`, 1_000_000, t0 + 5000)).toBe(true);
        for (let i = 0; i < 500; i++) expect(await store.nonces.claim(`new:${i}`, 1_000_000, t0 + 6000)).toBe(false);
        expect(await store.nonces.claim('old:1999', 10, t0 + 6000)).toBe(true);
      });

      it('lets exactly one of many concurrent claims win', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.nonces.claim('sig:race', 1000, 1_700_000_000_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('registry', () => {
      it('stores rows and finds every row of a person', async () => {
        const rows = [row('p1', 'n1', 'c1', 'ph1'), row('p1', 'n1', 'c2'), row('p2', 'n2', null)];
        expect(await store.registry.importBatch(rows)).toEqual({ inserted: 3, duplicates: 0, conflicts: [] });
        expect(await store.registry.count()).toBe(3);
        expect(sortRows(await store.registry.lookup(h('p1')))).toEqual(sortRows([rows[0]!, rows[1]!]));
        expect(await store.registry.lookup(h('p2'))).toEqual([rows[2]]);
        expect(await store.registry.lookup(h('nobody'))).toEqual([]);
      });

      it('compares a person\'s name and cards in the store', async () => {
        await store.registry.importBatch([row('p1', 'n1', 'c1'), row('p1', 'n1', 'c2'), row('p2', 'n2', null)]);
        const m = (id: string, name: string, card: string | null) => store.registry.match(h(id), h(name), card === null ? null : h(card));
        expect(await m('p1', 'n1', 'c2')).toEqual({ found: true, nameMatches: true, cardsOnFile: true, cardMatches: true });
        expect(await m('p1', 'n1', 'c3')).toEqual({ found: true, nameMatches: true, cardsOnFile: true, cardMatches: false });
        expect(await m('p1', 'other', null)).toEqual({ found: true, nameMatches: false, cardsOnFile: true, cardMatches: false });
        // A person on file without any card: nothing to compare an asked card with.
        expect(await m('p2', 'n2', 'c1')).toEqual({ found: true, nameMatches: true, cardsOnFile: false, cardMatches: false });
        expect(await m('nobody', 'n1', 'c1')).toEqual({ found: false, nameMatches: false, cardsOnFile: false, cardMatches: false });
      });

      it('compares the phone reserved with the asked card, or every phone of the person when no card is asked', async () => {
        await store.registry.importBatch([
          row('p1', 'n1', 'c1', 'ph1'),
          row('p1', 'n1', 'c2', null),
          row('p1', 'n1', null, 'ph2'),
          row('p2', 'n2', 'c3', null),
        ]);
        const m = (id: string, name: string, card: string | null, phone: string) =>
          store.registry.match(h(id), h(name), card === null ? null : h(card), h(phone));
        const person = { found: true, nameMatches: true, cardsOnFile: true };
        // phone3: any of the person's rows.
        expect(await m('p1', 'n1', null, 'ph1')).toEqual({ ...person, cardMatches: false, phonesOnFile: true, phoneMatches: true });
        expect(await m('p1', 'n1', null, 'ph2')).toEqual({ ...person, cardMatches: false, phonesOnFile: true, phoneMatches: true });
        expect(await m('p1', 'n1', null, 'ph9')).toEqual({ ...person, cardMatches: false, phonesOnFile: true, phoneMatches: false });
        // bankcard4: only the asked card's row; ph2 is on file with no card, so not with c1.
        expect(await m('p1', 'n1', 'c1', 'ph1')).toEqual({ ...person, cardMatches: true, phonesOnFile: true, phoneMatches: true });
        expect(await m('p1', 'n1', 'c1', 'ph2')).toEqual({ ...person, cardMatches: true, phonesOnFile: true, phoneMatches: false });
        // c2 was given without a phone: nothing to compare with.
        expect(await m('p1', 'n1', 'c2', 'ph1')).toEqual({ ...person, cardMatches: true, phonesOnFile: false, phoneMatches: false });
        // A card not theirs has no rows of theirs, so no phone of it either.
        expect(await m('p1', 'n1', 'c3', 'ph1')).toEqual({ ...person, cardMatches: false, phonesOnFile: false, phoneMatches: false });
        expect(await m('p2', 'other', null, 'ph1')).toEqual({ found: true, nameMatches: false, cardsOnFile: true, cardMatches: false, phonesOnFile: false, phoneMatches: false });
        expect(await m('nobody', 'n1', 'c1', 'ph1')).toEqual({ found: false, nameMatches: false, cardsOnFile: false, cardMatches: false, phonesOnFile: false, phoneMatches: false });
        // Without a phone asked the answer carries no phone flags.
        expect(await store.registry.match(h('p1'), h('n1'), h('c1'))).toEqual({ ...person, cardMatches: true });
      });

      it('finds the holders of a bank card without an ID number, through imports, removals and replaces', async () => {
        await store.registry.importBatch([row('p1', 'n1', 'c1'), row('p1', 'n1', null), row('p2', 'n2', 'c2'), row('p3', 'n3', 'c2')]);
        const m = (card: string, name: string) => store.registry.matchCard(h(card), h(name));
        expect(await m('c1', 'n1')).toEqual({ found: true, nameMatches: true });
        expect(await m('c1', 'n2')).toEqual({ found: true, nameMatches: false });
        // One card on file for two people (a registry may hold that): either holder's name matches.
        expect(await m('c2', 'n2')).toEqual({ found: true, nameMatches: true });
        expect(await m('c2', 'n3')).toEqual({ found: true, nameMatches: true });
        expect(await m('c2', 'n1')).toEqual({ found: true, nameMatches: false });
        expect(await m('c9', 'n1')).toEqual({ found: false, nameMatches: false });
        // A card hash is never confused with another factor's hash of the same person.
        expect(await m('p1', 'n1')).toEqual({ found: false, nameMatches: false });
        expect(await store.registry.remove(h('p2'))).toBe(1);
        expect(await m('c2', 'n2')).toEqual({ found: true, nameMatches: false });
        expect(await m('c2', 'n3')).toEqual({ found: true, nameMatches: true });
        const replace = await store.registry.beginReplace();
        await replace.importBatch([row('p4', 'n4', 'c4'), row('p1', 'n1', null)]);
        expect(await m('c4', 'n4')).toEqual({ found: false, nameMatches: false });
        await replace.commit();
        expect(await m('c4', 'n4')).toEqual({ found: true, nameMatches: true });
        expect(await m('c1', 'n1')).toEqual({ found: false, nameMatches: false });
        expect(await m('c2', 'n3')).toEqual({ found: false, nameMatches: false });
        // And again after a second replace (the card index is rebuilt with every stage).
        const again = await store.registry.beginReplace();
        await again.importBatch([row('p5', 'n5', 'c4')]);
        await again.commit();
        expect(await m('c4', 'n4')).toEqual({ found: true, nameMatches: false });
        expect(await m('c4', 'n5')).toEqual({ found: true, nameMatches: true });
        expect(await m('c1', 'n1')).toEqual({ found: false, nameMatches: false });
      });

      it('shows a check the store\'s own registry writes at once, within the same turn', async () => {
        const found = async (id: string) => (await store.registry.match(h(id), h('n1'), null)).found;
        expect(await found('p1')).toBe(false);
        await store.registry.importBatch([row('p1', 'n1', 'c1')]);
        expect(await found('p1')).toBe(true);
        expect(await store.registry.remove(h('p1'))).toBe(1);
        expect(await found('p1')).toBe(false);
        const replace = await store.registry.beginReplace();
        await replace.importBatch([row('p1', 'n1', null)]);
        await replace.commit();
        expect(await found('p1')).toBe(true);
      });

      it('is idempotent on re-import', async () => {
        const rows = [row('p1', 'n1', 'c1'), row('p2', 'n2', null)];
        await store.registry.importBatch(rows);
        expect(await store.registry.importBatch(rows)).toEqual({ inserted: 0, duplicates: 2, conflicts: [] });
        expect(await store.registry.importBatch([row('p1', 'n1', 'c1'), row('p1', 'n1', 'c1')])).toEqual({
          inserted: 0,
          duplicates: 2,
          conflicts: [],
        });
        expect(await store.registry.count()).toBe(2);
      });

      it('rejects a known ID number with another name, whether known before or earlier in the batch', async () => {
        await store.registry.importBatch([row('p1', 'n1', 'c1')]);
        const result = await store.registry.importBatch([
          row('p1', 'other', 'c9'), // conflicts with the table
          row('p3', 'n3', 'c3'),
          row('p3', 'n3-other', null), // conflicts with the row above
          row('p1', 'n1', 'c2'), // same person, new card
        ]);
        expect(result).toEqual({ inserted: 2, duplicates: 0, conflicts: [0, 2] });
        expect((await store.registry.lookup(h('p1'))).every((r) => r.nameHash.equals(h('other')) === false)).toBe(true);
        expect(await store.registry.lookup(h('p3'))).toHaveLength(1);
        expect(await store.registry.count()).toBe(3);
      });

      it('removes every row of one person', async () => {
        await store.registry.importBatch([row('p1', 'n1', 'c1'), row('p1', 'n1', null), row('p2', 'n2', 'c2')]);
        expect(await store.registry.remove(h('p1'))).toBe(2);
        expect(await store.registry.lookup(h('p1'))).toEqual([]);
        expect(await store.registry.remove(h('p1'))).toBe(0);
        expect(await store.registry.count()).toBe(1);
        // A removed person may come back under another name.
        expect((await store.registry.importBatch([row('p1', 'renamed', null)])).inserted).toBe(1);
      });

      it('replaces the whole registry atomically: old rows until commit, only new rows after', async () => {
        await store.registry.importBatch([row('old1', 'n', 'c'), row('keep', 'n-old', null)]);
        const replace = await store.registry.beginReplace();
        expect(await replace.importBatch([row('new1', 'n', 'c'), row('keep', 'n-new', null)])).toEqual({
          inserted: 2,
          duplicates: 0,
          conflicts: [],
        });
        expect(await replace.importBatch([row('new1', 'other', null), row('new2', 'n', null)])).toEqual({
          inserted: 1,
          duplicates: 0,
          conflicts: [0],
        });
        expect(await store.registry.count()).toBe(2);
        expect(await store.registry.lookup(h('new1'))).toEqual([]);
        expect((await store.registry.lookup(h('keep')))[0]?.nameHash).toEqual(h('n-old'));
        await replace.commit();
        expect(await store.registry.count()).toBe(3);
        expect(await store.registry.lookup(h('old1'))).toEqual([]);
        expect(await store.registry.lookup(h('new1'))).toHaveLength(1);
        expect((await store.registry.lookup(h('keep')))[0]?.nameHash).toEqual(h('n-new'));
        // The registry keeps working normally after the swap.
        expect((await store.registry.importBatch([row('new3', 'n', null)])).inserted).toBe(1);
        expect(await store.registry.remove(h('new1'))).toBe(1);
        expect(await store.registry.count()).toBe(3);
        await expect(replace.importBatch([row('late', 'n', null)])).rejects.toThrow();
      });

      it('keeps the old registry when a replace is aborted', async () => {
        await store.registry.importBatch([row('old1', 'n', 'c')]);
        const replace = await store.registry.beginReplace();
        await replace.importBatch([row('new1', 'n', 'c')]);
        await replace.abort();
        expect(await store.registry.count()).toBe(1);
        expect(await store.registry.lookup(h('old1'))).toHaveLength(1);
        expect(await store.registry.lookup(h('new1'))).toEqual([]);
        await expect(replace.commit()).rejects.toThrow();
        // A later replace still works.
        const again = await store.registry.beginReplace();
        await again.importBatch([row('new2', 'n', null)]);
        await again.commit();
        expect(await store.registry.count()).toBe(1);
        expect(await store.registry.lookup(h('new2'))).toHaveLength(1);
      });

      it('replaces with an empty registry', async () => {
        await store.registry.importBatch([row('old1', 'n', 'c')]);
        const replace = await store.registry.beginReplace();
        await replace.commit();
        expect(await store.registry.count()).toBe(0);
      });
    });

    describe('audit', () => {
      it('keeps every record written, newest first, filtered by app', async () => {
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 1200; i++) store.audit.write(auditRecord(`chk-${i}`, t0 + i, i % 2 ? '1000001' : '1000002'));
        await store.audit.flush();
        const all = await store.audit.query({ limit: 5000 });
        expect(all).toHaveLength(1200);
        expect(all[0]?.checkId).toBe('chk-1199');
        expect(all[1199]?.checkId).toBe('chk-0');
        const mine = await store.audit.query({ appid: '1000001', limit: 3 });
        expect(mine.map((r) => r.checkId)).toEqual(['chk-1199', 'chk-1197', 'chk-1195']);
        expect(mine[0]).toEqual(auditRecord('chk-1199', t0 + 1199, '1000001'));
      });

      it('finds a check by its id, quoted as 32 hex or as a UUID in any case', async () => {
        const id = '0123456789abcdef0123456789abcdef';
        store.audit.write(auditRecord('fedcba98765432100123456789abcdef', 1, '1000001'));
        store.audit.write(auditRecord(id, 2, '1000001'));
        store.audit.write(auditRecord('chk-plain', 3, '1000002'));
        for (const quoted of [id, id.toUpperCase(), '01234567-89ab-cdef-0123-456789abcdef', '01234567-89AB-CDEF-0123-456789ABCDEF']) {
          expect((await store.audit.query({ checkId: quoted })).map((r) => r.checkId)).toEqual([id]);
        }
        expect(await store.audit.query({ checkId: id, appid: '1000002' })).toEqual([]);
        expect((await store.audit.query({ checkId: 'chk-plain' })).map((r) => r.appid)).toEqual(['1000002']);
        expect(await store.audit.query({ checkId: '01234567-89ab-cdef-0123-456789abcdee' })).toEqual([]);
      });

      it('round-trips nullable fields and orders equal times by write order', async () => {
        const bare: AuditRecord = {
          ...auditRecord('chk-a', 5, null),
          kind: null,
          verdict: null,
          source: null,
          masked: {},
          billed: false,
        };
        // Enough records for a batch to be written several rows a statement.
        const ids = Array.from({ length: 19 }, (_, i) => `chk-${i}`);
        for (const checkId of ids) store.audit.write({ ...bare, checkId });
        await store.audit.flush();
        const got = await store.audit.query({});
        expect(got).toEqual(ids.reverse().map((checkId) => ({ ...bare, checkId })));
      });

      it('makes buffered records durable on close', async () => {
        store.audit.write(auditRecord('chk-close', 1, '1000001'));
        await store.close();
        // Backends that persist prove it in their own test by reopening; here: close resolves.
        store = await open();
      });
    });

    describe('app lifecycle', () => {
      it('keeps names unique, on create and on rename', async () => {
        await store.apps.create(makeApp('1000001', { name: 'shop' }), makeSecret('AKIDa', '1000001'));
        await expect(store.apps.create(makeApp('1000002', { name: 'shop' }), makeSecret('AKIDb', '1000002'))).rejects.toBeInstanceOf(AppNameTaken);
        expect(await store.apps.get('1000002')).toBeUndefined();
        await store.apps.create(makeApp('1000002', { name: 'other' }), makeSecret('AKIDb', '1000002'));
        await expect(store.apps.update('1000002', { name: 'shop' })).rejects.toBeInstanceOf(AppNameTaken);
        expect((await store.apps.get('1000002'))?.name).toBe('other');
        // renaming an app to its own name is no conflict
        expect((await store.apps.update('1000001', { name: 'shop', qps: 3 }))?.qps).toBe(3);
      });

      it('lets exactly one of many concurrent creates take a name', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => store.apps.create(makeApp(`100000${i}`, { name: 'race' }), makeSecret(`AKIDrace${i}`, `100000${i}`))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((await store.apps.list()).filter((a) => a.name === 'race')).toHaveLength(1);
      });

      it('deletes an app with its secrets, and only that app', async () => {
        await store.apps.create(makeApp('1000001'), makeSecret('AKIDa', '1000001'));
        await store.apps.create(makeApp('1000002'), makeSecret('AKIDb', '1000002'));
        expect(await store.apps.delete('1000001')).toBe(true);
        expect(await store.apps.get('1000001')).toBeUndefined();
        expect(await store.apps.getSecret('AKIDa')).toBeUndefined();
        expect(await store.apps.getSecret('AKIDb')).toBeDefined();
        expect(await store.apps.delete('1000001')).toBe(false);
      });

      it('re-seals an appkey or a secret only when it is still the value read', async () => {
        await store.apps.create(makeApp('1000001'), makeSecret('AKIDa', '1000001'));
        expect(await store.apps.resealAppkey('1000001', 'v1.sealed-appkey', 'v2.00000001.new')).toBe(true);
        expect(await store.apps.resealAppkey('1000001', 'v1.sealed-appkey', 'v2.00000001.newer')).toBe(false);
        expect((await store.apps.get('1000001'))?.appkeySealed).toBe('v2.00000001.new');
        expect(await store.apps.resealSecret('AKIDa', 'v1.sealed-AKIDa', 'v2.00000001.s')).toBe(true);
        expect(await store.apps.resealSecret('AKIDa', 'v1.sealed-AKIDa', 'v2.00000001.t')).toBe(false);
        expect((await store.apps.getSecret('AKIDa'))?.secretKeySealed).toBe('v2.00000001.s');
        // and a patch sets it outright (an appkey rotation)
        expect((await store.apps.update('1000001', { appkeySealed: 'v2.00000001.rotated' }))?.appkeySealed).toBe('v2.00000001.rotated');
      });
    });

    describe('keys', () => {
      const key = (keyId: string, over: Partial<StoredKey> = {}): StoredKey => ({
        keyId,
        state: 'current',
        check: `check-${keyId}`,
        wraps: keyId !== 'aaaaaaaa',
        pepperSealed: `v2.${keyId}.pepper`,
        createdAt: 1,
        retiredAt: null,
        ...over,
      });

      it('records the first key once, however many processes claim at once', async () => {
        expect(await store.keys.list()).toEqual([]);
        const claims = await Promise.all(['aaaaaaaa', 'bbbbbbbb', 'cccccccc'].map((id) => store.keys.claim(key(id, { wraps: false }))));
        const winner = claims[0]![0]!.keyId;
        for (const seen of claims) expect(seen).toEqual([key(winner, { wraps: false })]);
        expect(await store.keys.list()).toEqual([key(winner, { wraps: false })]);
      });

      it('rotates only from the key that is current, and retires only a rotated-out key', async () => {
        await store.keys.claim(key('aaaaaaaa'));
        expect(await store.keys.rotate(key('bbbbbbbb', { createdAt: 2 }), 'cccccccc')).toBe(false);
        expect(await store.keys.rotate(key('bbbbbbbb', { createdAt: 2 }), 'aaaaaaaa')).toBe(true);
        expect(await store.keys.rotate(key('cccccccc', { createdAt: 3 }), 'aaaaaaaa')).toBe(false);
        expect(await store.keys.rotate(key('aaaaaaaa', { createdAt: 3 }), 'bbbbbbbb')).toBe(false);
        expect((await store.keys.list()).map((k) => [k.keyId, k.state])).toEqual([
          ['aaaaaaaa', 'previous'],
          ['bbbbbbbb', 'current'],
        ]);
        expect(await store.keys.retire('bbbbbbbb', 9)).toBe(false);
        expect(await store.keys.retire('aaaaaaaa', 9)).toBe(true);
        expect(await store.keys.retire('aaaaaaaa', 10)).toBe(false);
        expect((await store.keys.list())[0]).toEqual(key('aaaaaaaa', { state: 'retired', pepperSealed: null, retiredAt: 9 }));
      });
    });

    describe('registry re-keying', () => {
      const under = (r: RegistryRow, keyId: string): RegistryRow => ({
        ...r,
        idHash: h(`${keyId}:${r.idHash.toString('hex')}`),
        nameHash: h(`${keyId}:${r.nameHash.toString('hex')}`),
        cardHash: r.cardHash && h(`${keyId}:${r.cardHash.toString('hex')}`),
        keyId,
      });

      it('counts rows per key and walks one key\'s rows in key order, resuming after a cursor', async () => {
        const rows = [row('p1', 'n1', 'c1'), row('p1', 'n1', null), row('p2', 'n2', 'c2'), row('p3', 'n3', null)];
        await store.registry.importBatch([...rows, under(row('p4', 'n4', null), 'ffffffff')]);
        expect(await store.registry.countByKey()).toEqual(new Map([['a1b2c3d4', 4], ['ffffffff', 1]]));
        const walked: RegistryRow[] = [];
        for (let page = await store.registry.rowsByKey('a1b2c3d4', 3); page.length > 0; ) {
          walked.push(...page);
          const last = page.at(-1)!;
          page = await store.registry.rowsByKey('a1b2c3d4', 3, { idHash: last.idHash, cardHash: last.cardHash });
        }
        const order = (r: RegistryRow) => Buffer.concat([r.idHash, r.cardHash ?? Buffer.alloc(0)]).toString('hex');
        expect(walked.map(order)).toEqual(rows.map(order).sort());
        expect(await store.registry.rowsByKey('00000000', 10)).toEqual([]);
      });

      it('moves rows to another key in one step: new rows in, old rows out, a row already there kept', async () => {
        const rows = [row('p1', 'n1', 'c1'), row('p2', 'n2', null)];
        await store.registry.importBatch([...rows, under(rows[1]!, 'ffffffff')]);
        await store.registry.rekey(rows.map((r) => ({ from: r, to: under(r, 'ffffffff') })));
        expect(await store.registry.countByKey()).toEqual(new Map([['ffffffff', 2]]));
        expect(await store.registry.lookup(h('p1'))).toEqual([]);
        expect(await store.registry.lookup(under(rows[0]!, 'ffffffff').idHash)).toEqual([under(rows[0]!, 'ffffffff')]);
        // a repeat of a finished batch changes nothing
        await store.registry.rekey(rows.map((r) => ({ from: r, to: under(r, 'ffffffff') })));
        expect(await store.registry.count()).toBe(2);
      });
    });

    describe('sources', () => {
      it('creates, lists in creation order, patches, and removes sources', async () => {
        const a = makeSource('aliyun-prod', { createdAt: 2 });
        const b = makeSource('submail', { createdAt: 1, kinds: ['idcard2'] });
        await store.sources.create(a);
        await store.sources.create(b);
        await expect(store.sources.create(makeSource('submail'))).rejects.toThrow();
        expect(await store.sources.get('aliyun-prod')).toEqual(a);
        expect((await store.sources.list()).map((s) => s.name)).toEqual(['submail', 'aliyun-prod']);
        const settings = { ...a.settings, timeoutMs: 900, dailyBudgetFen: null };
        expect(await store.sources.update('aliyun-prod', { disabled: true, settings, kinds: null, updatedAt: 9 })).toEqual({
          ...a,
          disabled: true,
          settings,
          kinds: null,
          updatedAt: 9,
        });
        expect(await store.sources.update('nobody', { disabled: true, updatedAt: 9 })).toBeUndefined();
        expect(await store.sources.remove('submail')).toBe(true);
        expect(await store.sources.remove('submail')).toBe(false);
        expect((await store.sources.list()).map((s) => s.name)).toEqual(['aliyun-prod']);
      });

      it('keeps one ordered route per kind, replaced or cleared whole', async () => {
        await store.sources.setRoute('bankcard3', [
          { source: 'registry', notFound: 'next' },
          { source: 'aliyun', notFound: 'answer' },
        ]);
        await store.sources.setRoute('idcard2', [{ source: 'submail', notFound: 'answer' }]);
        await store.sources.setRoute('idcard2', [{ source: 'aliyun', notFound: 'next' }, { source: 'submail', notFound: 'answer' }]);
        expect(await store.sources.routes()).toEqual({
          bankcard3: [
            { source: 'registry', notFound: 'next' },
            { source: 'aliyun', notFound: 'answer' },
          ],
          idcard2: [
            { source: 'aliyun', notFound: 'next' },
            { source: 'submail', notFound: 'answer' },
          ],
        });
        await store.sources.setRoute('idcard2', null);
        expect(Object.keys(await store.sources.routes())).toEqual(['bankcard3']);
      });

      it('adds usage from many writers exactly, per source and day, latency buckets included', async () => {
        const delta = (source: string, day: string, openUntil = 0) => ({
          source,
          day,
          calls: 2,
          errors: 1,
          billed: 1,
          maybeBilled: 1,
          costFen: 30,
          latency: { 3: 1, 7: 1 },
          openUntil,
        });
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.sources.addUsage([delta('aliyun', '2026-05-01', i), delta('submail', '2026-05-01')])));
        await store.sources.addUsage([delta('aliyun', '2026-05-02')]);
        await store.sources.addUsage([]);
        const rows = await store.sources.usage('2026-05-01', '2026-05-01');
        expect(rows).toEqual([
          { source: 'aliyun', day: '2026-05-01', calls: 40, errors: 20, billed: 20, maybeBilled: 20, costFen: 600, latency: { 3: 20, 7: 20 }, openUntil: 19 },
          { source: 'submail', day: '2026-05-01', calls: 40, errors: 20, billed: 20, maybeBilled: 20, costFen: 600, latency: { 3: 20, 7: 20 }, openUntil: 0 },
        ]);
        expect((await store.sources.usage('2026-04-01', '2026-05-31')).map((r) => `${r.source} ${r.day}`)).toEqual([
          'aliyun 2026-05-01',
          'submail 2026-05-01',
          'aliyun 2026-05-02',
        ]);
      });
    });

    describe('API keys', () => {
      it('adds, reads, lists an app’s keys and revokes one of its own only', async () => {
        await store.apps.create(makeApp('1250000101'), makeSecret('AKIDrest0000000000000000000000000001', '1250000101'));
        await store.apps.create(makeApp('1250000102', { name: 'other' }), makeSecret('AKIDrest0000000000000000000000000002', '1250000102'));
        await store.apiKeys.add({ keyId: 'k1', appid: '1250000101', hash: 'aa', revoked: false, createdAt: 1 });
        await store.apiKeys.add({ keyId: 'k2', appid: '1250000101', hash: 'bb', revoked: false, createdAt: 2 });
        expect(await store.apiKeys.get('k1')).toEqual({ keyId: 'k1', appid: '1250000101', hash: 'aa', revoked: false, createdAt: 1 });
        expect(await store.apiKeys.get('nope')).toBeUndefined();
        expect((await store.apiKeys.list('1250000101')).map((k) => k.keyId)).toEqual(['k1', 'k2']);
        expect(await store.apiKeys.revoke('1250000102', 'k1')).toBe(false);
        expect(await store.apiKeys.revoke('1250000101', 'k1')).toBe(true);
        expect((await store.apiKeys.get('k1'))?.revoked).toBe(true);
        await expect(store.apiKeys.add({ keyId: 'k2', appid: '1250000101', hash: 'cc', revoked: false, createdAt: 3 })).rejects.toThrow();
      });
    });

    describe('idempotency', () => {
      it('lets exactly one of many concurrent claims win, then answers every claim with the settled answer until it expires', async () => {
        const t0 = 1_700_000_000_000;
        const claims = await Promise.all(Array.from({ length: 50 }, () => store.idempotency.claim('app', 'key', 'req', 30_000, t0)));
        expect(claims.filter((c) => c.claimed)).toHaveLength(1);
        expect(claims.filter((c) => !c.claimed)).toEqual(Array(49).fill({ claimed: false, requestHash: 'req', sealed: null }));
        await store.idempotency.settle('app', 'key', 'sealed!', t0 + 86_400_000);
        expect(await store.idempotency.claim('app', 'key', 'other', 30_000, t0 + 60_000)).toEqual({ claimed: false, requestHash: 'req', sealed: 'sealed!' });
        expect(await store.idempotency.claim('other-app', 'key', 'req', 30_000, t0)).toEqual({ claimed: true });
        expect(await store.idempotency.claim('app', 'key', 'req2', 30_000, t0 + 86_400_000)).toEqual({ claimed: true });
      });

      it('an abandoned claim is free again; a settled one is not abandoned; purge deletes what expired', async () => {
        const t0 = 1_700_000_000_000;
        expect(await store.idempotency.claim('app', 'a', 'r', 30_000, t0)).toEqual({ claimed: true });
        await store.idempotency.abandon('app', 'a');
        expect(await store.idempotency.claim('app', 'a', 'r', 30_000, t0 + 1)).toEqual({ claimed: true });
        await store.idempotency.settle('app', 'a', 's', t0 + 1000);
        await store.idempotency.abandon('app', 'a');
        expect(await store.idempotency.claim('app', 'a', 'r', 30_000, t0 + 2)).toMatchObject({ claimed: false, sealed: 's' });
        expect(await store.idempotency.claim('app', 'b', 'r', 10, t0)).toEqual({ claimed: true });
        expect(await store.idempotency.purge(t0 + 5000)).toBe(2);
        expect(await store.idempotency.claim('app', 'a', 'r', 30_000, t0 + 5000)).toEqual({ claimed: true });
      });
    });

    // The memory store keeps no batches (the REST dialect answers batches_unavailable there).
    describe.skipIf(name.startsWith('memory'))('batches', () => {
      const record = (batchId: string, over: Partial<BatchRecord> = {}): BatchRecord => ({
        batchId, appid: '1250000201', kind: 'idcard2', state: 'uploading', keySealed: 'k', rowsTotal: 0, rowsDone: 0, counts: {}, createdAt: 1, updatedAt: 1, finishedAt: null, expiresAt: 1000, ...over,
      });
      const chunk = (batchId: string, seq: number): BatchChunk => ({ batchId, seq, firstLine: seq * 10 + 1, rows: 10, inputSealed: `in${seq}`, resultsSealed: null, started: false });

      it('grows with its chunks, runs them in order, adds up figures once per chunk, and ends', async () => {
        const b = store.batches!;
        await b.create(record('b1'));
        for (const seq of [0, 1, 2]) await b.addChunk(chunk('b1', seq));
        expect(await b.active()).toEqual([]);
        await b.setState('b1', 'running', 2);
        expect((await b.active()).map((r) => [r.batchId, r.rowsTotal])).toEqual([['b1', 30]]);
        expect(await b.nextChunk('b1')).toMatchObject({ seq: 0, inputSealed: 'in0', started: false });
        await b.markStarted('b1', 0);
        expect(await b.nextChunk('b1')).toMatchObject({ seq: 0, started: true });
        await b.finishChunk('b1', 0, 'out0', { match: 7, invalid: 3 }, 3);
        await b.finishChunk('b1', 0, 'again', { match: 10 }, 4);
        await b.finishChunk('b1', 1, 'out1', { match: 5, error: 5 }, 5);
        expect(await b.nextChunk('b1')).toMatchObject({ seq: 2 });
        expect(await b.get('b1')).toMatchObject({ rowsDone: 20, counts: { match: 12, invalid: 3, error: 5 }, updatedAt: 5 });
        expect((await b.results('b1', 0, 10)).map((c) => [c.seq, c.resultsSealed, c.inputSealed])).toEqual([[0, 'out0', null], [1, 'out1', null]]);
        expect((await b.results('b1', 1, 10)).map((c) => c.seq)).toEqual([1]);
        await b.setState('b1', 'done', 9);
        await b.setState('b1', 'running', 10);
        expect(await b.get('b1')).toMatchObject({ state: 'done', finishedAt: 9 });
        await b.dropInput('b1');
        expect(await b.nextChunk('b1')).toMatchObject({ seq: 2, inputSealed: null });
      });

      it('leases a batch to one node at a time until the lease lapses; purges what expired', async () => {
        const b = store.batches!;
        await b.create(record('b2', { expiresAt: 500 }));
        await b.addChunk(chunk('b2', 0));
        const claims = await Promise.all(['n1', 'n2', 'n3'].map((n) => b.lease('b2', n, 100, 10)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        const holder = ['n1', 'n2', 'n3'][claims.indexOf(true)]!;
        expect(await b.lease('b2', holder, 100, 50)).toBe(true);
        expect(await b.lease('b2', 'other', 100, 149)).toBe(false);
        expect(await b.lease('b2', 'other', 100, 150)).toBe(true);
        expect(await b.purge(499)).toBe(0);
        expect(await b.purge(500)).toBe(1);
        expect(await b.get('b2')).toBeUndefined();
        expect(await b.results('b2', 0, 10)).toEqual([]);
      });
    });

    describe('cache purges', () => {
      it('keeps the latest purge of each scope', async () => {
        expect(await store.sources.purges()).toEqual({});
        await store.sources.notePurge('*', 5);
        await store.sources.notePurge('1000001', 7);
        await store.sources.notePurge('1000001', 6);
        expect(await store.sources.purges()).toEqual({ '*': 5, '1000001': 7 });
      });
    });

    describe('operators', () => {
      const op = (name: string, role: 'viewer' | 'admin' = 'viewer') => ({ name, role, passwordHash: `scrypt$hash-of-${name}`, createdAt: 1_700_000_000_000 });
      it('adds an operator once, reads, lists by name, changes the password and removes', async () => {
        expect(await store.operators.add(op('wang', 'admin'))).toBe(true);
        expect(await store.operators.add(op('wang'))).toBe(false);
        expect(await store.operators.add(op('li'))).toBe(true);
        expect(await store.operators.get('wang')).toEqual(op('wang', 'admin'));
        expect((await store.operators.list()).map((o) => o.name)).toEqual(['li', 'wang']);
        expect(await store.operators.setPassword('li', 'scrypt$new')).toBe(true);
        expect((await store.operators.get('li'))!.passwordHash).toBe('scrypt$new');
        expect(await store.operators.setPassword('nobody', 'x')).toBe(false);
        expect(await store.operators.remove('li')).toBe(true);
        expect(await store.operators.remove('li')).toBe(false);
        expect(await store.operators.get('li')).toBeUndefined();
      });

      it('keeps their actions, newest first, filtered by operator and action', async () => {
        const act = (at: number, operator: string, action: string, ok = true) => ({ at, operator, action, target: '1000001', ok, detail: { qps: 5 }, ip: '127.0.0.1' });
        await store.operators.record(act(1, 'wang', 'apps.suspend'));
        await store.operators.record(act(2, 'li', 'apps.suspend', false));
        await store.operators.record(act(2, 'wang', 'apps.resume'));
        expect((await store.operators.actions({ limit: 10 })).map((a) => a.action)).toEqual(['apps.resume', 'apps.suspend', 'apps.suspend']);
        expect(await store.operators.actions({ operator: 'li', limit: 10 })).toEqual([act(2, 'li', 'apps.suspend', false)]);
        expect((await store.operators.actions({ action: 'apps.suspend', limit: 1 })).map((a) => a.operator)).toEqual(['li']);
      });
    });

    it('answers ping while open, and fails it once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
}

/** A deterministic 32-byte stand-in for a keyed hash of a synthetic factor. */
export const h = (s: string): Buffer => createHash('sha256').update(s).digest();

export function row(id: string, name: string, card: string | null, phone: string | null = null): RegistryRow {
  return {
    idHash: h(id),
    nameHash: h(name),
    cardHash: card === null ? null : h(card),
    phoneHash: phone === null ? null : h(phone),
    keyId: 'a1b2c3d4',
    normVersion: 1,
  };
}

const sortRows = (rows: RegistryRow[]) =>
  [...rows].sort((a, b) => Buffer.compare(a.cardHash ?? Buffer.alloc(0), b.cardHash ?? Buffer.alloc(0)));

export function makeApp(appid: string, over: Partial<App> = {}): App {
  return {
    appid,
    name: `app ${appid}`,
    bucket: 'bucket',
    buckets: ['bucket'],
    qps: null,
    quota: null,
    checks: null,
    ipAllow: null,
    dailyPerId: null,
    dailyPerName: null,
    suspended: false,
    replayGuard: false,
    appkeySealed: 'v1.sealed-appkey',
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

export function makeSecret(secretId: string, appid: string, createdAt = 1): Secret {
  return { secretId, appid, secretKeySealed: `v1.sealed-${secretId}`, revoked: false, createdAt };
}

export function auditRecord(checkId: string, at: number, appid: string | null): AuditRecord {
  return {
    checkId,
    at,
    appid,
    dialect: 'tencent-image',
    kind: 'idcard2',
    verdict: 'match',
    refusal: null,
    code: '0',
    masked: { name: '张*', idNumber: '1101**********1234' },
    source: 'registry',
    billed: true,
    latencyMs: 3,
  };
}

export function makeSource(name: string, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    name,
    type: 'aliyun',
    endpoint: 'https://cloudauth.aliyuncs.com',
    kinds: ['idcard2', 'bankcard3'],
    settings: {
      timeoutMs: 3000,
      concurrency: 8,
      costFen: 15,
      dailyBudgetFen: 100_000,
      breakerFailures: 5,
      breakerProbeMs: 30_000,
      retryOnTimeout: false,
      insecure: false,
    },
    credentialsSealed: 'v1.sealed-credentials',
    disabled: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}
