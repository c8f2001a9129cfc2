import { type AppRow, appFromRow, patchedFields, type SecretRow, secretFromRow } from '../rows.ts';
import { AppNameTaken, type AppStore, type Secret } from '../types.ts';
import type { Db, Queryable } from './db.ts';

const INSERT_SECRET = `INSERT INTO secrets (secret_id, appid, secret_key_sealed, revoked, created_at) VALUES ($1, $2, $3, $4, $5)`;
const secretParams = (s: Secret) => [s.secretId, s.appid, s.secretKeySealed, s.revoked, s.createdAt];

/**
 * Inside a transaction: waits for any other app being named at the same moment (an advisory lock, so
 * the check path's quota updates are never held up), then refuses a name another app has.
 */
async function claimName(c: Queryable, name: string, appid: string): Promise<void> {
  await c.query(`SELECT pg_advisory_xact_lock(hashtext('realname.apps.name'))`);
  const { rows } = await c.query('SELECT 1 FROM apps WHERE name = $1 AND appid <> $2', [name, appid]);
  if (rows.length > 0) throw new AppNameTaken(name);
}

/** The quota reported is what is not yet billed: the unleased balance and every node's unspent units. */
const APP = `SELECT *, (quota + coalesce((SELECT sum(units) FROM quota_leases l WHERE l.appid = apps.appid), 0))::bigint AS unbilled FROM apps`;
const toApp = (r: AppRow & { unbilled: number | null }) => appFromRow({ ...r, quota: r.unbilled });

export function postgresApps(db: Db): AppStore {
  const get = async (appid: string) => {
    const { rows } = await db.query<AppRow & { unbilled: number | null }>(`${APP} WHERE appid = $1`, [appid]);
    return rows[0] && toApp(rows[0]);
  };
  return {
    async create(app, firstSecret) {
      await db.tx(async (c) => {
        await claimName(c, app.name, app.appid);
        await c.query(
          `INSERT INTO apps (appid, name, bucket, buckets, qps, quota, checks, ip_allow, daily_per_id, daily_per_name, suspended, replay_guard, appkey_sealed, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            app.appid, app.name, app.bucket, app.buckets, app.qps, app.quota, app.checks, app.ipAllow,
            app.dailyPerId, app.dailyPerName, app.suspended, app.replayGuard, app.appkeySealed, app.createdAt,
          ],
        );
        await c.query(INSERT_SECRET, secretParams(firstSecret));
      });
    },
    get,
    async list() {
      const { rows } = await db.query<AppRow & { unbilled: number | null }>(`${APP} ORDER BY created_at, appid COLLATE "C"`);
      return rows.map(toApp);
    },
    async update(appid, patch) {
      const values: unknown[] = [appid];
      const sets: string[] = [];
      // Values bind as they are: arrays as text[], null as NULL.
      for (const { column, value } of patchedFields(patch)) {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length === 0) return get(appid);
      // A new quota is the whole remaining balance: every lease of the old one is void.
      if (patch.quota !== undefined) sets.push('quota_epoch = quota_epoch + 1', 'quota_reclaim_at = 0');
      const updated = await db.tx(async (c) => {
        if (patch.name !== undefined) await claimName(c, patch.name, appid);
        const { rowCount } = await c.query(`UPDATE apps SET ${sets.join(', ')} WHERE appid = $1`, values);
        if (patch.quota !== undefined) await c.query('DELETE FROM quota_leases WHERE appid = $1', [appid]);
        return rowCount === 1;
      });
      return updated ? get(appid) : undefined;
    },
    async delete(appid) {
      // Secrets go with it (ON DELETE CASCADE).
      return (await db.query('DELETE FROM apps WHERE appid = $1', [appid])).rowCount === 1;
    },
    async resealAppkey(appid, from, to) {
      const { rowCount } = await db.query('UPDATE apps SET appkey_sealed = $3 WHERE appid = $1 AND appkey_sealed = $2', [appid, from, to]);
      return rowCount === 1;
    },
    async resealSecret(secretId, from, to) {
      const { rowCount } = await db.query('UPDATE secrets SET secret_key_sealed = $3 WHERE secret_id = $1 AND secret_key_sealed = $2', [secretId, from, to]);
      return rowCount === 1;
    },
    async addSecret(secret) {
      await db.query(INSERT_SECRET, secretParams(secret));
    },
    async revokeSecret(appid, secretId) {
      const { rowCount } = await db.query('UPDATE secrets SET revoked = true WHERE secret_id = $1 AND appid = $2', [secretId, appid]);
      return rowCount === 1;
    },
    async getSecret(secretId) {
      const { rows } = await db.query<SecretRow>('SELECT * FROM secrets WHERE secret_id = $1', [secretId]);
      return rows[0] && secretFromRow(rows[0]);
    },
    async listSecrets(appid) {
      const { rows } = await db.query<SecretRow>(
        'SELECT * FROM secrets WHERE appid = $1 ORDER BY created_at, secret_id COLLATE "C"',
        [appid],
      );
      return rows.map(secretFromRow);
    },
    async reserveQuota(appid) {
      // The balance check and the decrement are one UPDATE: a concurrent UPDATE waits for the row lock
      // and re-checks `quota > 0` on the newest version, so the balance never goes below zero.
      // Unlimited apps (quota NULL) are admitted by the second EXISTS without taking the row lock.
      const { rows } = await db.query<{ ok: boolean }>(
        `WITH taken AS (UPDATE apps SET quota = quota - 1 WHERE appid = $1 AND quota > 0 RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM taken) OR EXISTS (SELECT 1 FROM apps WHERE appid = $1 AND quota IS NULL) AS ok`,
        [appid],
      );
      return rows[0]!.ok;
    },
    async releaseQuota(appid) {
      await db.query('UPDATE apps SET quota = quota + 1 WHERE appid = $1 AND quota IS NOT NULL', [appid]);
    },
  };
}
