import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openRedisCounters, type RedisCounters } from '../../src/store/redis.ts';
import type { Store } from '../../src/store/types.ts';
import { createRedisPrefix, createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../helpers/services.ts';
import { storeContract } from './contract.ts';
import { raceTwoProcesses } from './fixtures/race.ts';

const redisUp = await requireService('redis');

const drops: (() => Promise<void>)[] = [];
const cleanup = async () => {
  for (const drop of drops.splice(0)) await drop();
};
const freshCounters = (): RedisCounters & { prefix: string } => {
  const { prefix, drop } = createRedisPrefix();
  drops.push(drop);
  return { ...openRedisCounters({ url: REDIS_URL, prefix }), prefix };
};

describe.skipIf(!redisUp)('redis counters', () => {
  // The contract's rate-limit and nonce cases, with everything else in memory: Redis alone decides them.
  storeContract(
    'memory+redis',
    (): Store => {
      const memory = openMemoryStore();
      const redis = freshCounters();
      return {
        ...memory,
        kind: 'memory+redis',
        rate: redis.rate,
        nonces: redis.nonces,
        ping: async () => {
          await memory.ping();
          await redis.ping();
        },
        close: async () => {
          await memory.close();
          await redis.close();
        },
      };
    },
    cleanup,
  );

  describe('in redis', () => {
    let counters: RedisCounters & { prefix: string };
    let peek: Redis;
    beforeEach(async () => {
      counters = freshCounters();
      peek = new Redis(REDIS_URL);
    });
    afterEach(async () => {
      await counters.close();
      peek.disconnect();
      await cleanup();
    });

    it('keeps its keys under the prefix, each with an expiry', async () => {
      await counters.rate.take('app:1', 5, Date.now());
      await counters.nonces.claim('sig:a', 300_000, Date.now());
      const keys = (await peek.keys(`${counters.prefix}*`)).sort();
      expect(keys).toEqual([`${counters.prefix}nonce:sig:a`, `${counters.prefix}rate:app:1`]);
      for (const key of keys) expect(await peek.pttl(key)).toBeGreaterThan(0);
      expect(await peek.pttl(`${counters.prefix}nonce:sig:a`)).toBeGreaterThan(299_000);
    });

    it('keeps only the last `limit` admission times of a key', async () => {
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < 10; i++) expect(await counters.rate.take('app:1', 3, t0 + i * 1000)).toBe(true);
      expect(await peek.lrange(`${counters.prefix}rate:app:1`, 0, -1)).toEqual(['1700000007000', '1700000008000', '1700000009000']);
    });

    it('keeps sub-millisecond times exactly (Lua never reformats them)', async () => {
      const t0 = 1_700_000_000_000.125;
      expect(await counters.rate.take('app:1', 1, t0)).toBe(true);
      expect(await counters.rate.take('app:1', 1, t0 + 999.999)).toBe(false);
      expect(await counters.rate.take('app:1', 1, t0 + 1000)).toBe(true);
      expect(await peek.lrange(`${counters.prefix}rate:app:1`, 0, -1)).toEqual([String(t0 + 1000)]);
    });

    it('still works after the server forgets its scripts (EVALSHA falls back to EVAL)', async () => {
      expect(await counters.rate.take('app:1', 1, 1000)).toBe(true);
      await peek.script('FLUSH');
      expect(await counters.rate.take('app:1', 1, 1500)).toBe(false);
      expect(await counters.nonces.claim('sig:a', 1000, 1000)).toBe(true);
      await peek.script('FLUSH');
      expect(await counters.nonces.claim('sig:a', 1000, 1500)).toBe(false);
    });

    it('answers ping while open, and fails it once closed', async () => {
      await expect(counters.ping()).resolves.toBeUndefined();
      await counters.close();
      await expect(counters.ping()).rejects.toThrow();
      await expect(counters.rate.take('app:1', 1, 1)).rejects.toThrow();
    });
  });

  describe('shared by two processes', () => {
    afterEach(cleanup);

    it('admits exactly the limit of one window between two processes (rate limits in Redis)', async (ctx) => {
      if (!(await requireService('postgres'))) return ctx.skip();
      const { schema, drop } = await createSchema();
      drops.push(drop);
      const { prefix, drop: dropKeys } = createRedisPrefix();
      drops.push(dropKeys);
      const spec = { kind: 'postgres' as const, url: POSTGRES_URL, schema, redisUrl: REDIS_URL, redisPrefix: prefix };
      const counts = await raceTwoProcesses(spec, 'rate', 100);
      expect(counts[0]! + counts[1]!).toBe(50);
      expect(Math.min(...counts)).toBeGreaterThan(0);
    });
  });
});

describe('unreachable servers', () => {
  it('opening does not connect, ping rejects promptly, close resolves', async () => {
    const counters = openRedisCounters({ url: 'redis://127.0.0.1:1' });
    await expect(counters.ping()).rejects.toThrow();
    await counters.close();
    const store = openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/test', redisUrl: 'redis://127.0.0.1:1' });
    await expect(store.ping()).rejects.toThrow();
    await store.close();
  });
});
