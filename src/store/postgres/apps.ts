import { type AppRow, appFromRow, patchedFields, type SecretRow, secretFromRow } from '../rows.ts';
import type { AppStore, Secret } from '../types.ts';
import type { Db } from './db.ts';

const INSERT_SECRET = `INSERT INTO secrets (secret_id, appid, secret_key_sealed, revoked, created_at) VALUES ($1, $2, $3, $4, $5)`;
const secretParams = (s: Secret) => [s.secretId, s.appid, s.secretKeySealed, s.revoked, s.createdAt];

export function postgresApps(db: Db): AppStore {
  const get = async (appid: string) => {
    const { rows } = await db.query<AppRow>('SELECT * FROM apps WHERE appid = $1', [appid]);
    return rows[0] && appFromRow(rows[0]);
  };
  return {
    async create(app, firstSecret) {
      await db.tx(async (c) => {
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
      const { rows } = await db.query<AppRow>('SELECT * FROM apps ORDER BY created_at, appid COLLATE "C"');
      return rows.map(appFromRow);
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
      const { rows } = await db.query<AppRow>(`UPDATE apps SET ${sets.join(', ')} WHERE appid = $1 RETURNING *`, values);
      return rows[0] && appFromRow(rows[0]);
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
