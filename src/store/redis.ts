import { Redis } from 'ioredis';
import { defaultLogger, type Logger } from '../log.ts';
import type { LeaseStore, NonceStore, RateLimiter, ResultCacheStore } from './types.ts';
import { redisResultCache } from './redis/cache.ts';
import { WINDOW_MS } from './window.ts';
import { CLAIM_NONCE, RATE_SHARE, RELEASE_SHARE, script, SLIDING_WINDOW } from './redis/scripts.ts';

export interface RedisCountersOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one server. Default "realname:". */
  prefix?: string;
  logger?: Logger;
}

/** Rate limits and replay nonces in Redis: each decision is one atomic script, exact across processes. */
export interface RedisCounters {
  rate: RateLimiter;
  nonces: NonceStore;
  /** Remembered answers, shared by every process on this Redis (single flight across them). */
  resultCache: ResultCacheStore;
  /** QPS shares by lease (the quota's leases stay in PostgreSQL, with the apps). */
  shares: Pick<LeaseStore, 'rate' | 'release'>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A rate key idle this long is dropped by Redis; its newest admission left the window long before. */
const RATE_IDLE_MS = 10 * WINDOW_MS;

export function openRedisCounters(opts: RedisCountersOptions): RedisCounters {
  const prefix = opts.prefix ?? 'realname:';
  const log = opts.logger ?? defaultLogger();
  // Connects on the first command; a request fails after a few tries rather than waiting for Redis forever.
  const redis = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis retries on its own; say so once per distinct failure rather than on every retry.
    if (err.message !== lastError) log.warn({ error: err.message }, 'redis: connection failed');
    lastError = err.message;
  });
  redis.on('ready', () => (lastError = ''));
  const slidingWindow = script(redis, SLIDING_WINDOW);
  const claimNonce = script(redis, CLAIM_NONCE);
  const rateShare = script(redis, RATE_SHARE);
  const releaseShare = script(redis, RELEASE_SHARE);
  const shareKeys = (appid: string) => [`${prefix}rate:${appid}:shares`, `${prefix}rate:${appid}:released`];
  let closed = false;

  return {
    rate: {
      async take(key, limit, nowMs) {
        return (await slidingWindow(`${prefix}rate:${key}`, limit, String(nowMs), RATE_IDLE_MS)) === 1;
      },
    },
    nonces: {
      async claim(key, ttlMs, nowMs) {
        const ttl = Math.max(1, Math.ceil(ttlMs));
        return (await claimNonce(`${prefix}nonce:${key}`, String(nowMs), String(nowMs + ttlMs), ttl)) === 1;
      },
    },
    resultCache: redisResultCache(redis, prefix),
    shares: {
      async rate(req) {
        const keys = [...shareKeys(req.appid), `${prefix}node:${req.node}:apps`];
        const [share, otherNodes] = (await rateShare(keys, req.node, req.limit, req.want, req.ttlMs, Math.floor(req.nowMs), req.appid)) as [number, number];
        return { share, otherNodes };
      },
      async release(node, nowMs) {
        const apps = await redis.smembers(`${prefix}node:${node}:apps`);
        for (const appid of apps) await releaseShare(shareKeys(appid), node, Math.floor(nowMs));
        await redis.del(`${prefix}node:${node}:apps`);
      },
    },
    async ping() {
      if (closed) throw new Error('redis connection is closed');
      await redis.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      // quit waits for replies to commands already sent; a never-connected client just disconnects.
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    },
  };
}
