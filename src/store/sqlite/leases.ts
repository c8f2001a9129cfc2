import type Database from 'better-sqlite3';
import { quotaGrant, rateShare, releasedFreeAt, wholeRequest } from '../leases.ts';
import type { LeaseStore, QuotaLease, QuotaLeaseRequest, RateShareRequest } from '../types.ts';

type AppLeaseRow = { quota: number | null; quota_epoch: number; quota_reclaim_at: number };

/** Each lease call is one IMMEDIATE transaction: exact across connections and processes sharing the file. */
export function sqliteLeases(db: Database.Database): LeaseStore {
  const app = db.prepare('SELECT quota, quota_epoch, quota_reclaim_at FROM apps WHERE appid = ?');
  const setBalance = db.prepare('UPDATE apps SET quota = ? WHERE appid = ?');
  const setReclaim = db.prepare('UPDATE apps SET quota_reclaim_at = ? WHERE appid = ?');
  const lapsed = db.prepare('SELECT ifnull(sum(units), 0) FROM quota_leases WHERE appid = ? AND expires_at <= ?').pluck();
  const dropLapsed = db.prepare('DELETE FROM quota_leases WHERE appid = ? AND expires_at <= ?');
  const own = db.prepare('SELECT units FROM quota_leases WHERE appid = ? AND node = ?').pluck();
  const ownExpiry = db.prepare('SELECT expires_at FROM quota_leases WHERE appid = ? AND node = ?').pluck();
  const others = db.prepare('SELECT count(*) AS nodes, ifnull(sum(units), 0) AS units FROM quota_leases WHERE appid = ? AND node <> ? AND expires_at > ?');
  const putLease = db.prepare(
    `INSERT INTO quota_leases (appid, node, units, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (appid, node) DO UPDATE SET units = excluded.units, expires_at = excluded.expires_at`,
  );
  const dropLease = db.prepare('DELETE FROM quota_leases WHERE appid = ? AND node = ?');
  const shares = db.prepare('SELECT node, share, want, expires_at FROM rate_shares WHERE appid = ?');
  const dropShare = db.prepare('DELETE FROM rate_shares WHERE appid = ? AND node = ?');
  const putShare = db.prepare(
    `INSERT INTO rate_shares (appid, node, share, want, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (appid, node) DO UPDATE SET share = excluded.share, want = excluded.want, expires_at = excluded.expires_at`,
  );
  const release = db.prepare('INSERT INTO rate_released (appid, units, free_at) VALUES (?, ?, ?)');
  const pending = db.prepare('SELECT ifnull(sum(units), 0) FROM rate_released WHERE appid = ? AND free_at > ?').pluck();
  const dropFree = db.prepare('DELETE FROM rate_released WHERE appid = ? AND free_at <= ?');
  const nodeLeases = db.prepare('SELECT appid, units FROM quota_leases WHERE node = ?');
  const giveBack = db.prepare('UPDATE apps SET quota = quota + ? WHERE appid = ? AND quota IS NOT NULL');
  const dropNodeLeases = db.prepare('DELETE FROM quota_leases WHERE node = ?');
  const nodeShares = db.prepare('SELECT appid, share FROM rate_shares WHERE node = ?');
  const dropNodeShares = db.prepare('DELETE FROM rate_shares WHERE node = ?');

  const state = (appid: string, node: string, nowMs: number): QuotaLease | undefined => {
    const a = app.get(appid) as AppLeaseRow | undefined;
    if (!a) return undefined;
    const base = { epoch: a.quota_epoch, reclaimAt: a.quota_reclaim_at };
    if (a.quota === null) return { held: 0, granted: 0, lapsed: false, balance: null, heldElsewhere: 0, otherNodes: 0, ...base };
    const o = others.get(appid, node, nowMs) as { nodes: number; units: number };
    return { held: (own.get(appid, node) as number | undefined) ?? 0, granted: 0, lapsed: false, balance: a.quota, heldElsewhere: o.units, otherNodes: o.nodes, ...base };
  };

  const quota = db.transaction((req: QuotaLeaseRequest): QuotaLease | undefined => {
    const a = app.get(req.appid) as AppLeaseRow | undefined;
    if (!a) return undefined;
    if (a.quota === null) return state(req.appid, req.node, req.nowMs);
    // A lapsed lease gives its unspent units back — the caller's own too: units of a lapsed lease are void.
    const lapsedOwn = ((ownExpiry.get(req.appid, req.node) as number | undefined) ?? Infinity) <= req.nowMs;
    let balance = a.quota + (lapsed.get(req.appid, req.nowMs) as number);
    dropLapsed.run(req.appid, req.nowMs);
    let held = (own.get(req.appid, req.node) as number | undefined) ?? 0;
    if (req.epoch === a.quota_epoch) {
      const give = Math.min(req.give, held);
      held -= give;
      balance += give;
    }
    const o = others.get(req.appid, req.node, req.nowMs) as { nodes: number; units: number };
    const grant = quotaGrant(req.take, balance, o.nodes + 1);
    balance -= grant;
    held += grant;
    if (held > 0) putLease.run(req.appid, req.node, held, req.nowMs + req.ttlMs);
    else dropLease.run(req.appid, req.node);
    setBalance.run(balance, req.appid);
    if (req.starving && grant === 0 && o.units > o.nodes) setReclaim.run(req.nowMs, req.appid);
    return { ...state(req.appid, req.node, req.nowMs)!, granted: grant, lapsed: lapsedOwn };
  });

  const rate = db.transaction((req: RateShareRequest) => {
    dropFree.run(req.appid, req.nowMs);
    const rows = shares.all(req.appid) as { node: string; share: number; want: number; expires_at: number }[];
    const others = [];
    let current = 0;
    for (const r of rows) {
      if (r.node === req.node) current = r.share;
      else if (r.expires_at <= req.nowMs) {
        // A lapsed share may have admitted until it lapsed: free a second after.
        dropShare.run(req.appid, r.node);
        if (releasedFreeAt(r.expires_at) > req.nowMs) release.run(req.appid, r.share, releasedFreeAt(r.expires_at));
      } else others.push({ share: r.share, want: r.want });
    }
    const share = rateShare(req, others, pending.get(req.appid, req.nowMs) as number);
    if (share < current) release.run(req.appid, current - share, releasedFreeAt(req.nowMs));
    putShare.run(req.appid, req.node, share, Math.max(0, Math.floor(req.want)), req.nowMs + req.ttlMs);
    return { share, otherNodes: others.length };
  });

  const releaseAll = db.transaction((node: string, nowMs: number) => {
    for (const l of nodeLeases.all(node) as { appid: string; units: number }[]) giveBack.run(l.units, l.appid);
    dropNodeLeases.run(node);
    for (const s of nodeShares.all(node) as { appid: string; share: number }[]) release.run(s.appid, s.share, releasedFreeAt(nowMs));
    dropNodeShares.run(node);
  });

  return {
    async quota(req) {
      return quota.immediate(wholeRequest(req));
    },
    async quotaState(appid, node, nowMs) {
      return state(appid, node, nowMs);
    },
    async rate(req) {
      return rate.immediate(req);
    },
    async release(node, nowMs) {
      releaseAll.immediate(node, nowMs);
    },
  };
}
