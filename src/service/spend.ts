import type { Counters } from '../access/counters/index.ts';
import type { App, AppStore, CheckSpender, RateLimiter, SpendResult } from '../store/types.ts';

/**
 * What admitting a check costs the app: a unit of its QPS window (unless `rate` is false, or the app
 * has no limit) and then, when admitted and `reserve`, a unit of quota.
 */
export type Spend = (app: App, reserve: boolean, nowMs: number, rate?: boolean) => Promise<SpendResult>;

/**
 * The rate window first, then the quota. A store that does both in one write (`spender`) gets one call;
 * otherwise the store's rate limiter and quota are called in turn.
 */
export function createSpend(counters: { apps: AppStore; rate?: RateLimiter; spender?: CheckSpender }): Spend {
  const { apps, rate, spender } = counters;
  const reserveQuota = async (app: App, reserve: boolean): Promise<SpendResult> =>
    !reserve || (await apps.reserveQuota(app.appid)) ? 'ok' : 'quota_exhausted';
  const composed = async (app: App, window: { key: string; limit: number }, reserve: boolean, nowMs: number): Promise<SpendResult> => {
    if (!rate) throw new Error(`app ${app.appid} has a QPS limit but no rate limiter was given`);
    if (!(await rate.take(window.key, window.limit, nowMs))) return 'rate_limited';
    return reserveQuota(app, reserve);
  };
  // Not async: the spender's own promise is handed back as it is, with no second one wrapped around it.
  return (app, reserve, nowMs, takeRate = true) => {
    if (!takeRate || app.qps === null) return reserveQuota(app, reserve);
    const window = { key: `qps:${app.appid}`, limit: app.qps };
    return spender ? spender.spend(app.appid, window, nowMs, reserve) : composed(app, window, reserve, nowMs);
  };
}

/**
 * Counters decided by the store on every check (a unit of quota is a store write): exact without leases,
 * for a store used by one check path at a time (the tests of the check path itself, a CLI).
 */
export function storeCounters(counters: { apps: AppStore; rate?: RateLimiter; spender?: CheckSpender }): Counters {
  const spend = createSpend(counters);
  return {
    spend,
    giveBack: (app) => counters.apps.releaseQuota(app.appid),
    async close() {},
    // Every check is a store write here: the counters themselves count none apart.
    stats: () => ({ writes: 0, reads: 0 }),
  };
}
