import { describe, expect, it } from 'vitest';
import { openStore, type StoreSpec } from '../../src/store/index.ts';
import { auditRecord, h, makeApp, makeSecret, row } from './contract.ts';
import { raceTwoProcesses } from './fixtures/race.ts';

/**
 * What a store shared through its storage must show, beyond the contract: data outlives a reopen,
 * and other connections and processes see one truth. Call it inside a describe whose beforeEach
 * makes fresh, empty storage; `spec` names it for the current test (every open is a new connection).
 */
export function durableStoreContract(name: string, spec: () => StoreSpec): void {
  describe(`durable store: ${name}`, () => {
    it('keeps apps, quota, registry, nonces and buffered audit records across a reopen', async () => {
      const first = openStore(spec());
      await first.apps.create(makeApp('1000001', { quota: 5 }), makeSecret('AKIDa', '1000001'));
      await first.apps.reserveQuota('1000001');
      await first.registry.importBatch([row('p1', 'n1', 'c1', 'ph1'), row('p1', 'n1', null)]);
      await first.nonces.claim('sig:a', 60_000, 1000);
      first.audit.write(auditRecord('chk-unflushed', 1, '1000001'));
      await first.close();

      const again = openStore(spec());
      expect((await again.apps.get('1000001'))?.quota).toBe(4);
      expect(await again.apps.getSecret('AKIDa')).toEqual(makeSecret('AKIDa', '1000001'));
      expect(await again.registry.count()).toBe(2);
      expect((await again.registry.lookup(h('p1'))).map((r) => r.cardHash === null).sort()).toEqual([false, true]);
      expect(await again.nonces.claim('sig:a', 60_000, 2000)).toBe(false);
      expect((await again.audit.query({ appid: '1000001' })).map((r) => r.checkId)).toEqual(['chk-unflushed']);
      await again.close();
    });

    it('shows a replace committed by another connection to an open store', async () => {
      const reader = openStore(spec());
      const writer = openStore(spec());
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

    it('hands out exactly a quota of 100 between two processes reserving at once', async () => {
      const store = openStore(spec());
      await store.apps.create(makeApp('1000001', { quota: 100 }), makeSecret('AKIDa', '1000001'));
      const counts = await raceTwoProcesses(spec(), 'quota', 150);
      expect(counts[0]! + counts[1]!).toBe(100);
      // Both processes really competed (not one finishing before the other began).
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect((await store.apps.get('1000001'))?.quota).toBe(0);
      await store.close();
    });

    it('admits exactly the limit of one window between two processes', async () => {
      // SQLite creates and migrates its file on open, before the two children race to; PostgreSQL
      // connects only when used, so its children still migrate the empty schema at once.
      const store = openStore(spec());
      const counts = await raceTwoProcesses(spec(), 'rate', 100);
      expect(counts[0]! + counts[1]!).toBe(50);
      expect(Math.min(...counts)).toBeGreaterThan(0);
      await store.close();
    });
  });
}
