import { describe, expect, it } from 'vitest';
import { QuotaPools } from '../../src/access/counters/quota-pools.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { makeApp, makeSecret } from '../store/contract.ts';

describe('quota pools on one node', () => {
  it('answer every one of many concurrent checks while the balance lasts, and refuse only once it is spent', async () => {
    const store = openMemoryStore();
    await store.apps.create(makeApp('1000001', { quota: 120 }), makeSecret('AKIDa', '1000001'));
    const pools = new QuotaPools(store.leases, store.node, Date.now);
    // A fresh pool: the first refill brings a unit; those who waited for it and found it taken lease again.
    const first = await Promise.all(Array.from({ length: 100 }, () => pools.take('1000001')));
    expect(first.filter((ok) => ok)).toHaveLength(100);
    const rest = await Promise.all(Array.from({ length: 40 }, () => pools.take('1000001')));
    expect(rest.filter((ok) => ok)).toHaveLength(20);
    await pools.close();
  });
});
