import type { QuotaLeaseRequest, RateShareRequest } from './types.ts';
import { WINDOW_MS } from './window.ts';

/**
 * The rules every backend applies inside its lease transaction, so memory, SQLite and PostgreSQL hand
 * out the same units and shares (test/store/contract.ts holds them to it).
 */

/**
 * Units granted for a take: never more than the balance, and at most half of it spread over the live
 * nodes — so grants shrink as the balance runs down and one node never sits on the last of it.
 */
export function quotaGrant(take: number, balance: number, liveNodes: number): number {
  if (take <= 0 || balance <= 0) return 0;
  return Math.min(take, balance, Math.max(1, Math.ceil(balance / (2 * liveNodes))));
}

/** Another node's share as the rules need it. */
export interface OtherShare {
  share: number;
  want: number;
}

/**
 * A node's new share of a QPS limit. It may always shrink; it grows only into capacity no other live
 * share holds and no recent release still covers (a released unit is free again 1000 ms after it was
 * given up, so no 1000 ms interval sees it admitted twice). Under contention — another node wants more
 * than it holds — no node holds more than the fair share, limit / live nodes.
 */
export function rateShare(req: Pick<RateShareRequest, 'limit' | 'want'>, others: readonly OtherShare[], pendingReleases: number): number {
  const limit = Math.max(0, Math.floor(req.limit));
  let target = Math.max(0, Math.min(Math.floor(req.want), limit));
  if (others.some((o) => o.want > o.share)) target = Math.min(target, Math.floor(limit / (others.length + 1)));
  const room = limit - others.reduce((sum, o) => sum + o.share, 0) - pendingReleases;
  return Math.max(0, Math.min(target, room));
}

/** When a share given up now may be granted again. */
export const releasedFreeAt = (nowMs: number): number => nowMs + WINDOW_MS;

/** How long a node's units and share last without renewal (a crashed node's come back after this). */
export const DEFAULT_QUOTA_TTL_MS = 10_000;
export const DEFAULT_RATE_TTL_MS = 2_000;

/** Clamps a lease request's numbers to sane whole values (the store never trusts a caller's arithmetic). */
export function wholeRequest(req: QuotaLeaseRequest): QuotaLeaseRequest {
  const whole = (n: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
  return { ...req, take: whole(req.take), give: whole(req.give) };
}

/**
 * Billed answers per app in an audit batch: each leaves its node's lease in the same commit that makes
 * the answer durable (a unit is spent once it is billed and audited, never twice, never lost on a crash).
 */
export function billedPerApp(records: ReadonlyArray<{ appid: string | null; billed: boolean }>): Map<string, number> {
  const perApp = new Map<string, number>();
  for (const r of records) if (r.billed && r.appid !== null) perApp.set(r.appid, (perApp.get(r.appid) ?? 0) + 1);
  return perApp;
}

/** Who wants to hear of billed answers made durable (AuditSink.onBilled), and the call after a commit. */
export function billedListeners() {
  const listeners: ((appid: string, units: number) => void)[] = [];
  return {
    add(listener: (appid: string, units: number) => void): void {
      listeners.push(listener);
    },
    committed(perApp: Map<string, number>): void {
      for (const [appid, units] of perApp) for (const l of listeners) l(appid, units);
    },
  };
}
