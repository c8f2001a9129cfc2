import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { createResultCache, DEFAULT_CACHE } from '../../src/sources/cache.ts';
import { createRouter } from '../../src/sources/router.ts';
import { SourceFailure, type Source, type SourceAnswer } from '../../src/sources/types.ts';
import { memoryResultCache } from '../../src/store/memory-cache.ts';
import { memorySources } from '../../src/store/memory-sources.ts';

const [alice, bob] = [...generateIdentities(2, 5)];

/** An upstream vendor that answers after a moment and counts its calls. */
function vendor(answer: () => SourceAnswer | Promise<SourceAnswer>): Source & { calls: number } {
  const s = {
    name: 'vendor',
    upstream: true,
    calls: 0,
    supports: () => true,
    async check() {
      s.calls++;
      await new Promise((r) => setTimeout(r, 20));
      return answer();
    },
  };
  return s;
}

function setup(source: Source, settings = DEFAULT_CACHE, clock = { now: 1_000_000 }) {
  const store = memoryResultCache({ now: () => clock.now });
  const purges = memorySources();
  const cache = createResultCache(createRouter([source], { timeoutMs: 1000 }), store, randomBytes(32), settings, purges);
  return { cache, store, clock, purges };
}

describe('the result cache', () => {
  it('makes one upstream call for 100 identical checks at once, none for a repeat, one again once the entry expired', async () => {
    const upstream = vendor(() => ({ verdict: 'match', vendor: { code: '0', billed: true } }));
    const { cache, clock } = setup(upstream);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => cache.check('idcard2', alice!, `c${i}`, '1000001')));
    expect(upstream.calls).toBe(1);
    expect(answers.filter((a) => 'verdict' in a && a.verdict === 'match')).toHaveLength(100);
    expect(answers.filter((a) => a.source === 'vendor')).toHaveLength(1);
    expect(answers.filter((a) => a.source === 'cache')).toHaveLength(99);
    expect(await cache.check('idcard2', alice!, 'again', '1000001')).toEqual({ verdict: 'match', source: 'cache' });
    expect(upstream.calls).toBe(1);
    clock.now += DEFAULT_CACHE.ttlMs.match + 1;
    expect(await cache.check('idcard2', alice!, 'later', '1000001')).toMatchObject({ verdict: 'match', source: 'vendor' });
    expect(upstream.calls).toBe(2);
  });

  it('keeps each verdict its own time, and never an unavailable answer', async () => {
    let next: SourceAnswer | 'fail' = { verdict: 'not_found' };
    const upstream = vendor(() => {
      if (next === 'fail') throw new SourceFailure('error', 'HTTP 502');
      return next;
    });
    const { cache, clock } = setup(upstream);
    await cache.check('idcard2', alice!, 'a', '1');
    clock.now += DEFAULT_CACHE.ttlMs.not_found - 1;
    expect((await cache.check('idcard2', alice!, 'b', '1')).source).toBe('cache');
    clock.now += 2;
    next = 'fail';
    expect(await cache.check('idcard2', alice!, 'c', '1')).toEqual({ unavailable: 'error', source: 'vendor' });
    expect(await cache.check('idcard2', alice!, 'd', '1')).toEqual({ unavailable: 'error', source: 'vendor' });
    expect(upstream.calls).toBe(3);
  });

  it('scopes answers per app unless shared, and a hit is free when so configured', async () => {
    const upstream = vendor(() => ({ verdict: 'mismatch', mismatched: ['name'] }));
    const perApp = setup(upstream, { ...DEFAULT_CACHE, chargeHits: false });
    await perApp.cache.check('idcard2', bob!, 'a', 'app-1');
    expect(await perApp.cache.check('idcard2', bob!, 'b', 'app-1')).toEqual({ verdict: 'mismatch', mismatched: ['name'], source: 'cache', charge: false });
    await perApp.cache.check('idcard2', bob!, 'c', 'app-2');
    expect(upstream.calls).toBe(2);
    const shared = setup(upstream, { ...DEFAULT_CACHE, scope: 'shared' });
    await shared.cache.check('idcard2', bob!, 'd', 'app-1');
    expect((await shared.cache.check('idcard2', bob!, 'e', 'app-2')).source).toBe('cache');
    expect(upstream.calls).toBe(3);
  });

  it('leaves checks the registry answers alone: only routes with an upstream source are cached', async () => {
    const registry = Object.assign(vendor(() => ({ verdict: 'match' })), { name: 'registry', upstream: false });
    const { cache } = setup(registry);
    await cache.check('idcard2', alice!, 'a', '1');
    await cache.check('idcard2', alice!, 'b', '1');
    expect(registry.calls).toBe(2);
  });

  it('forgets a person by ID number, and an app\'s answers on purge', async () => {
    const upstream = vendor(() => ({ verdict: 'match' }));
    const { cache } = setup(upstream);
    await cache.check('idcard2', alice!, 'a', '1');
    await cache.check('bankcard3', alice!, 'b', '1');
    await cache.check('idcard2', bob!, 'c', '1');
    expect(await cache.forgetPerson(alice!.idNumber)).toBe(2);
    expect((await cache.check('idcard2', alice!, 'd', '1')).source).toBe('vendor');
    expect((await cache.check('idcard2', bob!, 'e', '1')).source).toBe('cache');
    expect(await cache.purge('1')).toBe(2);
    expect((await cache.check('idcard2', bob!, 'f', '1')).source).toBe('vendor');
  });

  it('answers without the cache when its store fails: the cache only saves money', async () => {
    const upstream = vendor(() => ({ verdict: 'match' }));
    const broken = { ...memoryResultCache(), get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')), claim: () => Promise.reject(new Error('down')) };
    const errors: unknown[] = [];
    const cache = createResultCache(createRouter([upstream], { timeoutMs: 1000 }), broken, randomBytes(32), DEFAULT_CACHE, undefined, (e) => errors.push(e));
    expect(await cache.check('idcard2', alice!, 'a', '1')).toMatchObject({ verdict: 'match', source: 'vendor' });
    expect(upstream.calls).toBe(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('learns of a purge noted by another process (the CLI) within a second', async () => {
    const upstream = vendor(() => ({ verdict: 'match' }));
    const { cache, purges } = setup(upstream);
    await cache.check('idcard2', alice!, 'a', '1');
    await new Promise((r) => setTimeout(r, 1050));
    expect((await cache.check('idcard2', alice!, 'b', '1')).source).toBe('cache');
    await purges.notePurge('1', Date.now());
    await new Promise((r) => setTimeout(r, 1050));
    expect((await cache.check('idcard2', alice!, 'c', '1')).source).toBe('vendor');
  });

  it("forgets a person another process (the CLI) forgot, within a second, and says how many entries it removed", async () => {
    const upstream = vendor(() => ({ verdict: 'match' }));
    const key = randomBytes(32);
    const purges = memorySources();
    const removed: [string, number][] = [];
    const node = createResultCache(createRouter([upstream], { timeoutMs: 1000 }), memoryResultCache(), key, DEFAULT_CACHE, purges, undefined, (scope, n) => removed.push([scope, n]));
    const cli = createResultCache(createRouter([upstream], { timeoutMs: 1000 }), memoryResultCache(), key, DEFAULT_CACHE, purges);
    await node.check('idcard2', alice!, 'a', '1');
    await node.check('bankcard3', alice!, 'b', '1');
    await node.check('idcard2', bob!, 'c', '1');
    await new Promise((r) => setTimeout(r, 1050));
    expect((await node.check('idcard2', alice!, 'd', '1')).source).toBe('cache');
    // The CLI's own memory holds none of them; the node learns of the erasure from the store.
    expect(await cli.forgetPerson(alice!.idNumber)).toBe(0);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await node.check('idcard2', alice!, 'e', '1')).source).toBe('vendor');
    expect((await node.check('idcard2', bob!, 'f', '1')).source).toBe('cache');
    expect(removed).toEqual([['person', 2]]);
  });
});
