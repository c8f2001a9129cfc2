import type { App, AuditSink, LeaseStore, SpendResult } from '../../store/types.ts';
import { QUOTA_POOL_DEFAULTS, QuotaPools, type QuotaPoolOptions } from './quota-pools.ts';
import { RATE_SHARE_DEFAULTS, RateShares, type RateShareOptions } from './rate-shares.ts';

/** What a check costs an app on the way through the check path, and what it gets back when it is not billed. */
export interface Counters {
  /**
   * A unit of the app's QPS window (unless `rate` is false, or the app has no limit), then — when
   * admitted and `reserve` — a unit of its quota (unless it has none).
   */
  spend(app: App, reserve: boolean, nowMs: number, rate?: boolean): SpendResult | Promise<SpendResult>;
  /** A quota unit taken for a check that was not billed. */
  giveBack(app: App): void | Promise<void>;
  /** Gives every lease back (a clean shutdown). */
  close(): Promise<void>;
  /** Store calls the counters made so far: writes (lease takes, gives, renewals, shares) and reads (polls). */
  stats(): CounterStats;
}

export interface CounterStats {
  writes: number;
  reads: number;
}

export interface LeaseOptions {
  quota?: Partial<QuotaPoolOptions>;
  rate?: Partial<RateShareOptions>;
}

/**
 * Quota and QPS decided in memory from leases taken from the store (issue 14): a busy node writes its
 * counters a few times a second, not once a check; the promises — never more billed checks than the
 * quota, never more admissions than the limit in any 1000 ms across nodes — are kept by the leases.
 */
export function leasedCounters(store: { leases: LeaseStore; node: string; audit: Pick<AuditSink, 'onBilled'> }, clock: () => number, options: LeaseOptions = {}): Counters {
  const stats: CounterStats = { writes: 0, reads: 0 };
  const leases = counted(store.leases, stats);
  const pools = new QuotaPools(leases, store.node, clock, { ...QUOTA_POOL_DEFAULTS, ...options.quota });
  const shares = new RateShares(leases, store.node, clock, { ...RATE_SHARE_DEFAULTS, ...options.rate });
  store.audit.onBilled((appid, units) => pools.committed(appid, units));
  // Set once a lease was ever asked for: a process that served no check (a CLI command) gives nothing back.
  let leased = false;
  const quota = (app: App, reserve: boolean): SpendResult | Promise<SpendResult> => {
    if (!reserve || app.quota === null) return 'ok';
    leased = true;
    const taken = pools.take(app.appid);
    return taken === true ? 'ok' : taken === false ? 'quota_exhausted' : taken.then((ok) => (ok ? 'ok' : 'quota_exhausted'));
  };
  return {
    spend(app, reserve, nowMs, rate = true) {
      if (!rate || app.qps === null) return quota(app, reserve);
      leased = true;
      const admitted = shares.admit(app.appid, app.qps, nowMs);
      if (admitted === true) return quota(app, reserve);
      if (admitted === false) return 'rate_limited';
      return admitted.then((ok) => (ok ? quota(app, reserve) : 'rate_limited'));
    },
    giveBack(app) {
      if (app.quota !== null) pools.giveBack(app.appid);
    },
    async close() {
      await Promise.all([pools.close(), shares.close()]);
      if (leased) await leases.release(store.node, clock());
    },
    stats: () => ({ ...stats }),
  };
}

/** The lease store, counting its calls (the bench reports store writes per 1,000 checks). */
function counted(leases: LeaseStore, stats: CounterStats): LeaseStore {
  return {
    quota: (req) => (stats.writes++, leases.quota(req)),
    quotaState: (appid, node, nowMs) => (stats.reads++, leases.quotaState(appid, node, nowMs)),
    rate: (req) => (stats.writes++, leases.rate(req)),
    release: (node, nowMs) => (stats.writes++, leases.release(node, nowMs)),
  };
}

export { LocalWindow } from './local-window.ts';
