import type { App, AppStore, CheckSpender, RateLimiter, SpendResult } from '../store/types.ts';

/** What a check costs the app: a unit of its QPS window and, when the input is valid, a unit of quota. */
export type Spend = (app: App, valid: boolean, nowMs: number) => Promise<SpendResult>;

/**
 * The rate window first (every authenticated request spends it, valid or not), then the quota (only
 * valid input is billed). A store that does both in one write (`spender`) gets one call; otherwise the
 * store's rate limiter and quota are called in turn.
 */
export function createSpend(counters: { apps: AppStore; rate?: RateLimiter; spender?: CheckSpender }): Spend {
  const { apps, rate, spender } = counters;
  const reserve = async (app: App, valid: boolean): Promise<SpendResult> =>
    !valid || (await apps.reserveQuota(app.appid)) ? 'ok' : 'quota_exhausted';
  const composed = async (app: App, window: { key: string; limit: number }, valid: boolean, nowMs: number): Promise<SpendResult> => {
    if (!rate) throw new Error(`app ${app.appid} has a QPS limit but no rate limiter was given`);
    if (!(await rate.take(window.key, window.limit, nowMs))) return 'rate_limited';
    return reserve(app, valid);
  };
  // Not async: the spender's own promise is handed back as it is, with no second one wrapped around it.
  return (app, valid, nowMs) => {
    if (app.qps === null) return reserve(app, valid);
    const window = { key: `qps:${app.appid}`, limit: app.qps };
    return spender ? spender.spend(app.appid, window, nowMs, valid) : composed(app, window, valid, nowMs);
  };
}
