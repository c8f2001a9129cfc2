import { quotaGrant, rateShare, releasedFreeAt, wholeRequest } from '../leases.ts';
import type { LeaseStore, QuotaLease } from '../types.ts';
import type { Db, Queryable } from './db.ts';

type AppLeaseRow = { quota: number | null; quota_epoch: number; quota_reclaim_at: number };

/** Each lease call is one transaction holding the app's row lock: exact across connections and nodes. */
export function postgresLeases(db: Db): LeaseStore {
  const state = async (c: Queryable, appid: string, node: string, nowMs: number): Promise<QuotaLease | undefined> => {
    const { rows } = await c.query<AppLeaseRow & { held: number | null; others: number; units: number }>(
      `SELECT a.quota, a.quota_epoch, a.quota_reclaim_at,
              (SELECT units FROM quota_leases WHERE appid = a.appid AND node = $2) AS held,
              (SELECT count(*) FROM quota_leases WHERE appid = a.appid AND node <> $2 AND expires_at > $3)::int AS others,
              (SELECT coalesce(sum(units), 0) FROM quota_leases WHERE appid = a.appid AND node <> $2 AND expires_at > $3)::bigint AS units
       FROM apps a WHERE a.appid = $1`,
      [appid, node, nowMs],
    );
    const a = rows[0];
    if (!a) return undefined;
    const base = { epoch: a.quota_epoch, reclaimAt: a.quota_reclaim_at };
    if (a.quota === null) return { held: 0, granted: 0, lapsed: false, balance: null, heldElsewhere: 0, otherNodes: 0, ...base };
    return { held: a.held ?? 0, granted: 0, lapsed: false, balance: a.quota, heldElsewhere: a.units, otherNodes: a.others, ...base };
  };

  return {
    quota: (request) =>
      db.tx(async (c) => {
        const req = wholeRequest(request);
        const { rows } = await c.query<AppLeaseRow>('SELECT quota, quota_epoch, quota_reclaim_at FROM apps WHERE appid = $1 FOR UPDATE', [req.appid]);
        const a = rows[0];
        if (!a) return undefined;
        if (a.quota === null) return state(c, req.appid, req.node, req.nowMs);
        // A lapsed lease gives its unspent units back — the caller's own too: units of a lapsed lease are void.
        const { rows: lapsed } = await c.query<{ units: number; own: boolean }>(
          `WITH gone AS (DELETE FROM quota_leases WHERE appid = $1 AND expires_at <= $2 RETURNING node, units)
           SELECT coalesce(sum(units), 0)::bigint AS units, coalesce(bool_or(node = $3), false) AS own FROM gone`,
          [req.appid, req.nowMs, req.node],
        );
        const before = (await state(c, req.appid, req.node, req.nowMs))!;
        // The node's own row is locked before its count is read: an audit commit taking billed units out of it
        // waits for this transaction and then applies to what it wrote (never lost to a stale count).
        const { rows: mine } = await c.query<{ units: number }>('SELECT units FROM quota_leases WHERE appid = $1 AND node = $2 FOR UPDATE', [req.appid, req.node]);
        let balance = a.quota + lapsed[0]!.units;
        let held = mine[0]?.units ?? 0;
        if (req.epoch === a.quota_epoch) {
          const give = Math.min(req.give, held);
          held -= give;
          balance += give;
        }
        const grant = quotaGrant(req.take, balance, before.otherNodes + 1);
        balance -= grant;
        held += grant;
        if (held > 0) {
          await c.query(
            `INSERT INTO quota_leases (appid, node, units, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (appid, node) DO UPDATE SET units = excluded.units, expires_at = excluded.expires_at`,
            [req.appid, req.node, held, req.nowMs + req.ttlMs],
          );
        } else {
          await c.query('DELETE FROM quota_leases WHERE appid = $1 AND node = $2', [req.appid, req.node]);
        }
        const reclaim = req.starving && grant === 0 && before.heldElsewhere > before.otherNodes;
        await c.query(`UPDATE apps SET quota = $2${reclaim ? ', quota_reclaim_at = $3' : ''} WHERE appid = $1`, reclaim ? [req.appid, balance, req.nowMs] : [req.appid, balance]);
        return { ...(await state(c, req.appid, req.node, req.nowMs))!, granted: grant, lapsed: lapsed[0]!.own };
      }),
    quotaState: (appid, node, nowMs) => state(db, appid, node, nowMs),
    rate: (req) =>
      db.tx(async (c) => {
        // One app's shares are decided one node at a time: the lock is the app's own advisory lock.
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('realname.rate.' || $1))`, [req.appid]);
        await c.query('DELETE FROM rate_released WHERE appid = $1 AND free_at <= $2', [req.appid, req.nowMs]);
        const { rows } = await c.query<{ node: string; share: number; want: number; expires_at: number }>(
          'SELECT node, share, want, expires_at FROM rate_shares WHERE appid = $1',
          [req.appid],
        );
        const others = [];
        let current = 0;
        for (const r of rows) {
          if (r.node === req.node) current = r.share;
          else if (r.expires_at <= req.nowMs) {
            // A lapsed share may have admitted until it lapsed: free a second after.
            await c.query('DELETE FROM rate_shares WHERE appid = $1 AND node = $2', [req.appid, r.node]);
            if (releasedFreeAt(r.expires_at) > req.nowMs) {
              await c.query('INSERT INTO rate_released (appid, units, free_at) VALUES ($1, $2, $3)', [req.appid, r.share, releasedFreeAt(r.expires_at)]);
            }
          } else others.push({ share: r.share, want: r.want });
        }
        const { rows: pending } = await c.query<{ units: number }>(
          'SELECT coalesce(sum(units), 0)::bigint AS units FROM rate_released WHERE appid = $1 AND free_at > $2',
          [req.appid, req.nowMs],
        );
        const share = rateShare(req, others, pending[0]!.units);
        if (share < current) {
          await c.query('INSERT INTO rate_released (appid, units, free_at) VALUES ($1, $2, $3)', [req.appid, current - share, releasedFreeAt(req.nowMs)]);
        }
        await c.query(
          `INSERT INTO rate_shares (appid, node, share, want, expires_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (appid, node) DO UPDATE SET share = excluded.share, want = excluded.want, expires_at = excluded.expires_at`,
          [req.appid, req.node, share, Math.max(0, Math.floor(req.want)), req.nowMs + req.ttlMs],
        );
        return { share, otherNodes: others.length };
      }),
    release: (node, nowMs) =>
      db.tx(async (c) => {
        await c.query(
          `WITH gone AS (DELETE FROM quota_leases WHERE node = $1 RETURNING appid, units)
           UPDATE apps SET quota = apps.quota + gone.units FROM gone WHERE apps.appid = gone.appid AND apps.quota IS NOT NULL`,
          [node],
        );
        await c.query(
          `WITH gone AS (DELETE FROM rate_shares WHERE node = $1 RETURNING appid, share)
           INSERT INTO rate_released (appid, units, free_at) SELECT appid, share, $2 FROM gone`,
          [node, releasedFreeAt(nowMs)],
        );
      }),
  };
}
