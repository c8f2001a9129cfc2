import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateShares } from '../../src/access/counters/rate-shares.ts';
import { openMemoryStore } from '../../src/store/memory.ts';

afterEach(() => void vi.useRealTimers());

describe('QPS shares on two nodes', () => {
  it('follow the load when it moves from one node to the other, never admitting more than the limit in any 1000 ms', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = openMemoryStore();
    const a = new RateShares(store.leases, 'node-a', Date.now);
    const b = new RateShares(store.leases, 'node-b', Date.now);
    const admitted: { at: number; node: 'a' | 'b' }[] = [];
    // 100 requests a second against a limit of 50: 3 s on node A, then 3 s on node B.
    const start = Date.now();
    for (let t = 0; t < 6000; t += 10) {
      const node = t < 3000 ? 'a' : 'b';
      const ok = await (node === 'a' ? a : b).admit('app', 50, Date.now());
      if (ok) admitted.push({ at: Date.now(), node });
      await vi.advanceTimersByTimeAsync(10);
    }
    const inSecond = (s: number, node: 'a' | 'b') => admitted.filter((x) => x.node === node && x.at >= start + s * 1000 && x.at < start + (s + 1) * 1000).length;
    // Node A has the load and the whole limit once B asks for nothing.
    expect(inSecond(1, 'a')).toBeGreaterThanOrEqual(45);
    expect(inSecond(2, 'a')).toBeGreaterThanOrEqual(45);
    // B asks, A (still busy at its renewal) shrinks to half; A idle gives the rest up at its next renewal,
    // and a second later (A's admissions aged out) B has nearly the whole limit.
    expect(inSecond(4, 'b')).toBeGreaterThanOrEqual(20);
    expect(inSecond(5, 'b')).toBeGreaterThanOrEqual(45);
    let worst = 0;
    for (let i = 0, j = 0; i < admitted.length; i++) {
      while (admitted[j]!.at <= admitted[i]!.at - 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(50);
    await Promise.all([a.close(), b.close()]);
  });
});
