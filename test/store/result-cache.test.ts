import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryResultCache } from '../../src/store/memory-cache.ts';
import { openRedisCounters, type RedisCounters } from '../../src/store/redis.ts';
import type { ResultCacheStore } from '../../src/store/types.ts';
import { createRedisPrefix, REDIS_URL, requireService } from '../helpers/services.ts';

const redisUp = await requireService('redis');

/** What every result cache backend must do: keys and the person index are opaque hex; TTLs hold; one claim at a time. */
function resultCacheContract(name: string, open: () => { cache: ResultCacheStore; close(): Promise<void> }) {
  describe(`result cache contract: ${name}`, () => {
    let opened: ReturnType<typeof open>;
    let cache: ResultCacheStore;
    beforeEach(() => {
      opened = open();
      cache = opened.cache;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('stores an answer per scope and key, and forgets it after its TTL', async () => {
      await cache.set('1000001', 'k1', { verdict: 'mismatch', mismatched: ['bankCard'], source: 'aliyun' }, 200, 'p1');
      expect(await cache.get('1000001', 'k1')).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'], source: 'aliyun' });
      expect(await cache.get('1000002', 'k1')).toBeUndefined();
      await expect.poll(() => cache.get('1000001', 'k1'), { timeout: 3000, interval: 50 }).toBeUndefined();
    });

    it('lets one caller hold a key\'s claim until it releases it or it expires', async () => {
      const claims = await Promise.all(Array.from({ length: 20 }, () => cache.claim('s', 'k', 10_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      await cache.release('s', 'k');
      expect(await cache.claim('s', 'k', 100)).toBe(true);
      await expect.poll(() => cache.claim('s', 'k', 100), { timeout: 3000, interval: 50 }).toBe(true);
    });

    it('forgets one person\'s entries in every scope, one scope, or everything', async () => {
      const a = { verdict: 'match' as const, source: 'x' };
      await cache.set('1', 'ka', a, 60_000, 'person-a');
      await cache.set('2', 'kb', a, 60_000, 'person-a');
      await cache.set('1', 'kc', a, 60_000, 'person-c');
      await cache.set('3', 'kd', a, 60_000, 'person-d');
      expect(await cache.forgetPerson('person-a')).toBe(2);
      expect(await cache.get('2', 'kb')).toBeUndefined();
      expect(await cache.forgetPerson('person-a')).toBe(0);
      expect(await cache.purge('1')).toBe(1);
      expect(await cache.get('3', 'kd')).toEqual(a);
      expect(await cache.purge()).toBe(1);
      expect(await cache.get('3', 'kd')).toBeUndefined();
    });

    it('forgets, with a person, the entries of the indexes their entries linked (a card\'s name + card answers), and no others', async () => {
      const a = { verdict: 'match' as const, source: 'x' };
      // A person + card answer links the card's index; a name + card answer is indexed by the card alone.
      await cache.set('1', 'with-id', a, 60_000, 'person-a', 'card-a');
      await cache.set('1', 'name-card', a, 60_000, 'card-a');
      await cache.set('2', 'name-card', a, 60_000, 'card-a');
      await cache.set('1', 'other-card', a, 60_000, 'card-b');
      expect(await cache.forgetPerson('person-a')).toBe(3);
      expect(await cache.get('2', 'name-card')).toBeUndefined();
      expect(await cache.get('1', 'other-card')).toEqual(a);
      expect(await cache.forgetPerson('card-a')).toBe(0);
    });
  });
}

resultCacheContract('memory', () => ({ cache: memoryResultCache(), close: async () => undefined }));

describe.skipIf(!redisUp)('redis', () => {
  let counters: RedisCounters | undefined;
  let drop: (() => Promise<void>) | undefined;
  resultCacheContract('redis', () => {
    const made = createRedisPrefix();
    drop = made.drop;
    counters = openRedisCounters({ url: REDIS_URL, prefix: made.prefix });
    return {
      cache: counters.resultCache,
      close: async () => {
        await counters?.close();
        await drop?.();
      },
    };
  });

  it('keeps only opaque keys and values: the scope, hex hashes, the verdict and its source', async () => {
    const made = createRedisPrefix();
    const c = openRedisCounters({ url: REDIS_URL, prefix: made.prefix });
    const peek = new Redis(REDIS_URL);
    try {
      await c.resultCache.set('1000001', 'ab'.repeat(32), { verdict: 'match', source: 'aliyun' }, 60_000, 'cd'.repeat(32));
      const keys = (await peek.keys(`${made.prefix}*`)).sort();
      expect(keys).toEqual([`${made.prefix}cache:e:1000001:${'ab'.repeat(32)}`, `${made.prefix}cache:p:${'cd'.repeat(32)}`]);
      expect(await peek.get(keys[0]!)).toBe('{"verdict":"match","source":"aliyun"}');
    } finally {
      peek.disconnect();
      await c.close();
      await made.drop();
    }
  });
});
