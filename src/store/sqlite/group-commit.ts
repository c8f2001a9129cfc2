import type Database from 'better-sqlite3';
import type { SpendResult } from '../types.ts';
import { WINDOW_MS } from '../window.ts';
import { type Balance, quotaBalances } from './quota.ts';
import { type KeyWindow, rateWindows } from './rate-window.ts';

/** Every this many calls, a bounded batch of stale rate keys is deleted: no turn pays for a full sweep. */
const PURGE_EVERY = 256;

/** What the caller asked for, so its promise gets the answer in its own type. */
type Asked = 'take' | 'reserve' | 'spend';

/** One check's counters: a rate unit when `key` is set, then (when admitted) a quota unit when `appid` is. */
interface Call {
  asked: Asked;
  key: string | undefined;
  limit: number;
  nowMs: number;
  appid: string | undefined;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

export interface CounterBatch {
  /** RateLimiter.take. */
  take(key: string, limit: number, nowMs: number): Promise<boolean>;
  /** The write half of AppStore.reserveQuota. */
  reserve(appid: string): Promise<boolean>;
  /** CheckSpender.spend: the rate unit, then the quota unit when admitted and `reserve`. */
  spend(appid: string, key: string, limit: number, nowMs: number, reserve: boolean): Promise<SpendResult>;
}

/**
 * Group commit for per-check counters: the calls made during one turn of the event loop run
 * together, in call order, in one IMMEDIATE transaction. Inside the write lock each rate key and each
 * app's quota is read once, the turn's calls are decided in memory in call order, and each is written
 * once — so the counters stay exact across connections and processes, and a busy node pays one commit
 * and a few statements per turn and key instead of per check. If the transaction fails, every call in
 * it fails (none of them took effect).
 */
export function counterBatch(db: Database.Database): CounterBatch {
  const windows = rateWindows(db);
  const balances = quotaBalances(db);
  let queue: Call[] = [];
  let calls = 0;
  const results: SpendResult[] = [];

  const decide = db.transaction((batch: Call[]) => {
    let earliestMs = Infinity;
    let latestMs = -Infinity;
    for (const c of batch) {
      if (c.key === undefined) continue;
      if (c.nowMs < earliestMs) earliestMs = c.nowMs;
      if (c.nowMs > latestMs) latestMs = c.nowMs;
    }
    const before = calls;
    calls += batch.length;
    // Keys idle since before the turn's earliest window: none of the turn's arrivals can see them.
    if (earliestMs < Infinity && Math.floor(calls / PURGE_EVERY) > Math.floor(before / PURGE_EVERY)) windows.purge(earliestMs - WINDOW_MS);
    // Usually one key and one app a turn: small maps, created per turn so a failed turn leaves nothing.
    const keys = new Map<string, KeyWindow>();
    const apps = new Map<string, Balance>();
    results.length = 0;
    for (const c of batch) {
      let result: SpendResult = 'ok';
      if (c.key !== undefined) {
        let w = keys.get(c.key);
        if (w === undefined) keys.set(c.key, (w = windows.load(c.key, latestMs)));
        if (!windows.admit(w, c.limit, c.nowMs)) result = 'rate_limited';
      }
      if (result === 'ok' && c.appid !== undefined) {
        let b = apps.get(c.appid);
        if (b === undefined) apps.set(c.appid, (b = balances.load(c.appid)));
        if (!balances.take(b)) result = 'quota_exhausted';
      }
      results.push(result);
    }
    for (const w of keys.values()) windows.save(w);
    for (const b of apps.values()) balances.save(b);
  });

  const flush = () => {
    const batch = queue;
    queue = [];
    try {
      decide.immediate(batch);
    } catch (error) {
      for (const c of batch) c.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const c = batch[i]!;
      const r = results[i]!;
      (c.resolve as (value: unknown) => void)(c.asked === 'spend' ? r : r === 'ok');
    }
  };

  const enqueue = <R>(asked: Asked, key: string | undefined, limit: number, nowMs: number, appid: string | undefined) =>
    new Promise<R>((resolve, reject) => {
      // setImmediate runs after the poll phase: every request read in this turn joins the batch.
      if (queue.length === 0) setImmediate(flush);
      queue.push({ asked, key, limit, nowMs, appid, resolve, reject });
    });

  return {
    take: (key, limit, nowMs) => enqueue<boolean>('take', key, limit, nowMs, undefined),
    reserve: (appid) => enqueue<boolean>('reserve', undefined, 0, 0, appid),
    spend: (appid, key, limit, nowMs, reserve) =>
      enqueue<SpendResult>('spend', key, limit, nowMs, reserve ? appid : undefined),
  };
}
