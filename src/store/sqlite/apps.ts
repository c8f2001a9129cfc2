import type Database from 'better-sqlite3';
import { APP_PATCH_COLUMNS, type AppRow, appFromRow, patchedFields, type SecretRow as SharedSecretRow, secretFromRow } from '../rows.ts';
import { AppNameTaken, type App, type AppPatch, type AppStore, type Secret } from '../types.ts';

/** SQLite keeps arrays as JSON text and booleans as 0/1. */
type Row = Omit<AppRow, 'buckets' | 'checks' | 'ip_allow' | 'suspended' | 'replay_guard'> & {
  buckets: string;
  checks: string | null;
  ip_allow: string | null;
  suspended: number;
  replay_guard: number;
};
type SecretRow = Omit<SharedSecretRow, 'revoked'> & { revoked: number };

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
const parseJson = (v: string | null) => (v === null ? null : JSON.parse(v));

const toApp = (r: Row & { unbilled?: number | null }): App =>
  appFromRow({
    ...r,
    quota: r.unbilled === undefined ? r.quota : r.unbilled,
    buckets: JSON.parse(r.buckets),
    checks: parseJson(r.checks),
    ip_allow: parseJson(r.ip_allow),
    suspended: r.suspended === 1,
    replay_guard: r.replay_guard === 1,
  });

const toSecret = (r: SecretRow): Secret => secretFromRow({ ...r, revoked: r.revoked === 1 });

/** How each patchable field's value is stored (its column is APP_PATCH_COLUMNS'). */
const ENCODE: { [K in keyof Required<AppPatch>]: (v: NonNullable<AppPatch>[K]) => unknown } = {
  name: (v) => v,
  buckets: (v) => JSON.stringify(v),
  qps: (v) => v,
  quota: (v) => v,
  checks: json,
  ipAllow: json,
  dailyPerId: (v) => v,
  dailyPerName: (v) => v,
  suspended: (v) => (v ? 1 : 0),
  replayGuard: (v) => (v ? 1 : 0),
  appkeySealed: (v) => v,
};

/** `reserveInTurn` takes a unit of a limited app's quota in the turn's counter transaction (group-commit.ts). */
export function sqliteApps(db: Database.Database, reserveInTurn: (appid: string) => Promise<boolean>): AppStore {
  const insertApp = db.prepare(
    `INSERT INTO apps (appid, name, bucket, buckets, qps, quota, checks, ip_allow, daily_per_id, daily_per_name, suspended, replay_guard, appkey_sealed, created_at)
     VALUES (@appid, @name, @bucket, @buckets, @qps, @quota, @checks, @ipAllow, @dailyPerId, @dailyPerName, @suspended, @replayGuard, @appkeySealed, @createdAt)`,
  );
  const insertSecret = db.prepare(
    `INSERT INTO secrets (secret_id, appid, secret_key_sealed, revoked, created_at)
     VALUES (@secretId, @appid, @secretKeySealed, @revoked, @createdAt)`,
  );
  // The quota reported is what is not yet billed: the unleased balance and every node's unspent units.
  const columns = `*, quota + ifnull((SELECT sum(units) FROM quota_leases l WHERE l.appid = apps.appid), 0) AS unbilled`;
  const selectApp = db.prepare(`SELECT ${columns} FROM apps WHERE appid = ?`);
  const selectApps = db.prepare(`SELECT ${columns} FROM apps ORDER BY created_at, appid`);
  // A new quota is the whole remaining balance: every lease of the old one is void.
  const newEpoch = db.prepare('UPDATE apps SET quota_epoch = quota_epoch + 1, quota_reclaim_at = 0 WHERE appid = ?');
  const dropLeases = db.prepare('DELETE FROM quota_leases WHERE appid = ?');
  const selectSecret = db.prepare('SELECT * FROM secrets WHERE secret_id = ?');
  const selectSecrets = db.prepare('SELECT * FROM secrets WHERE appid = ? ORDER BY created_at, secret_id');
  const revoke = db.prepare('UPDATE secrets SET revoked = 1 WHERE secret_id = ? AND appid = ?');
  const nameTaken = db.prepare('SELECT 1 FROM apps WHERE name = ? AND appid <> ?');
  const deleteApp = db.prepare('DELETE FROM apps WHERE appid = ?');
  const resealAppkey = db.prepare('UPDATE apps SET appkey_sealed = ? WHERE appid = ? AND appkey_sealed = ?');
  const resealSecret = db.prepare('UPDATE secrets SET secret_key_sealed = ? WHERE secret_id = ? AND secret_key_sealed = ?');
  const selectQuota = db.prepare('SELECT quota FROM apps WHERE appid = ?');
  const giveQuota = db.prepare('UPDATE apps SET quota = quota + 1 WHERE appid = ? AND quota IS NOT NULL');
  const patchField = Object.fromEntries(
    Object.entries(APP_PATCH_COLUMNS).map(([field, column]) => [
      field,
      db.prepare(`UPDATE apps SET ${column} = ? WHERE appid = ?`),
    ]),
  );

  const secretParams = (s: Secret) => ({ ...s, revoked: s.revoked ? 1 : 0 });
  // Inside the write transaction: two processes cannot both find a name free.
  const claimName = (name: string, appid: string) => {
    if (nameTaken.get(name, appid)) throw new AppNameTaken(name);
  };
  const create = db.transaction((app: App, secret: Secret) => {
    claimName(app.name, app.appid);
    insertApp.run({
      ...app,
      buckets: JSON.stringify(app.buckets),
      checks: json(app.checks),
      ipAllow: json(app.ipAllow),
      suspended: app.suspended ? 1 : 0,
      replayGuard: app.replayGuard ? 1 : 0,
    });
    insertSecret.run(secretParams(secret));
  });
  const get = (appid: string) => {
    const r = selectApp.get(appid) as Row | undefined;
    return r && toApp(r);
  };
  const update = db.transaction((appid: string, patch: AppPatch) => {
    if (!selectApp.get(appid)) return undefined;
    if (patch.name !== undefined) claimName(patch.name, appid);
    for (const { field, value } of patchedFields(patch)) {
      patchField[field]!.run((ENCODE[field] as (v: unknown) => unknown)(value), appid);
    }
    if (patch.quota !== undefined) {
      newEpoch.run(appid);
      dropLeases.run(appid);
    }
    return get(appid);
  });

  return {
    async create(app, firstSecret) {
      create.immediate(app, firstSecret);
    },
    async get(appid) {
      return get(appid);
    },
    async list() {
      return (selectApps.all() as Row[]).map(toApp);
    },
    async update(appid, patch) {
      return update.immediate(appid, patch);
    },
    async delete(appid) {
      // Secrets go with it (ON DELETE CASCADE).
      return deleteApp.run(appid).changes === 1;
    },
    async addSecret(secret) {
      insertSecret.run(secretParams(secret));
    },
    async resealAppkey(appid, from, to) {
      return resealAppkey.run(to, appid, from).changes === 1;
    },
    async resealSecret(secretId, from, to) {
      return resealSecret.run(to, secretId, from).changes === 1;
    },
    async revokeSecret(appid, secretId) {
      return revoke.run(secretId, appid).changes > 0;
    },
    async getSecret(secretId) {
      const r = selectSecret.get(secretId) as SecretRow | undefined;
      return r && toSecret(r);
    },
    async listSecrets(appid) {
      return (selectSecrets.all(appid) as SecretRow[]).map(toSecret);
    },
    async reserveQuota(appid) {
      // Read first so unlimited apps never take the write lock.
      const r = selectQuota.get(appid) as { quota: number | null } | undefined;
      if (!r) return false;
      if (r.quota === null) return true;
      return reserveInTurn(appid);
    },
    async releaseQuota(appid) {
      giveQuota.run(appid);
    },
  };
}
