import type Database from 'better-sqlite3';
import type { App, AppPatch, AppStore, Secret } from '../types.ts';
import { groupCommit } from './group-commit.ts';

interface AppRow {
  appid: string;
  name: string;
  bucket: string;
  buckets: string;
  qps: number | null;
  quota: number | null;
  checks: string | null;
  ip_allow: string | null;
  suspended: number;
  replay_guard: number;
  appkey_sealed: string;
  created_at: number;
}

interface SecretRow {
  secret_id: string;
  appid: string;
  secret_key_sealed: string;
  revoked: number;
  created_at: number;
}

const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

const toApp = (r: AppRow): App => ({
  appid: r.appid,
  name: r.name,
  bucket: r.bucket,
  buckets: JSON.parse(r.buckets),
  qps: r.qps,
  quota: r.quota,
  checks: r.checks === null ? null : JSON.parse(r.checks),
  ipAllow: r.ip_allow === null ? null : JSON.parse(r.ip_allow),
  suspended: r.suspended === 1,
  replayGuard: r.replay_guard === 1,
  appkeySealed: r.appkey_sealed,
  createdAt: r.created_at,
});

const toSecret = (r: SecretRow): Secret => ({
  secretId: r.secret_id,
  appid: r.appid,
  secretKeySealed: r.secret_key_sealed,
  revoked: r.revoked === 1,
  createdAt: r.created_at,
});

/** One column per patchable field, with how its value is stored. */
const PATCH_COLUMNS: { [K in keyof Required<AppPatch>]: [column: string, encode: (v: NonNullable<AppPatch>[K]) => unknown] } = {
  name: ['name', (v) => v],
  buckets: ['buckets', (v) => JSON.stringify(v)],
  qps: ['qps', (v) => v],
  quota: ['quota', (v) => v],
  checks: ['checks', json],
  ipAllow: ['ip_allow', json],
  suspended: ['suspended', (v) => (v ? 1 : 0)],
  replayGuard: ['replay_guard', (v) => (v ? 1 : 0)],
};

export function sqliteApps(db: Database.Database): AppStore {
  const insertApp = db.prepare(
    `INSERT INTO apps (appid, name, bucket, buckets, qps, quota, checks, ip_allow, suspended, replay_guard, appkey_sealed, created_at)
     VALUES (@appid, @name, @bucket, @buckets, @qps, @quota, @checks, @ipAllow, @suspended, @replayGuard, @appkeySealed, @createdAt)`,
  );
  const insertSecret = db.prepare(
    `INSERT INTO secrets (secret_id, appid, secret_key_sealed, revoked, created_at)
     VALUES (@secretId, @appid, @secretKeySealed, @revoked, @createdAt)`,
  );
  const selectApp = db.prepare('SELECT * FROM apps WHERE appid = ?');
  const selectApps = db.prepare('SELECT * FROM apps ORDER BY created_at, appid');
  const selectSecret = db.prepare('SELECT * FROM secrets WHERE secret_id = ?');
  const selectSecrets = db.prepare('SELECT * FROM secrets WHERE appid = ? ORDER BY created_at, secret_id');
  const revoke = db.prepare('UPDATE secrets SET revoked = 1 WHERE secret_id = ? AND appid = ?');
  const selectQuota = db.prepare('SELECT quota FROM apps WHERE appid = ?');
  // The balance check and the decrement are one statement: exact across connections and processes.
  const takeQuota = db.prepare('UPDATE apps SET quota = quota - 1 WHERE appid = ? AND quota > 0');
  const giveQuota = db.prepare('UPDATE apps SET quota = quota + 1 WHERE appid = ? AND quota IS NOT NULL');
  const patchField = Object.fromEntries(
    Object.entries(PATCH_COLUMNS).map(([field, [column]]) => [
      field,
      db.prepare(`UPDATE apps SET ${column} = ? WHERE appid = ?`),
    ]),
  );

  // The balance check and the decrement stay one statement; checks of one event-loop turn share a commit.
  const reserveInGroup = groupCommit(db, (appid: string): boolean => takeQuota.run(appid).changes === 1);

  const secretParams = (s: Secret) => ({ ...s, revoked: s.revoked ? 1 : 0 });
  const create = db.transaction((app: App, secret: Secret) => {
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
    const r = selectApp.get(appid) as AppRow | undefined;
    return r && toApp(r);
  };
  const update = db.transaction((appid: string, patch: AppPatch) => {
    if (!selectApp.get(appid)) return undefined;
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const spec = PATCH_COLUMNS[field as keyof AppPatch];
      if (!spec) throw new Error(`Unknown app field ${field}`);
      patchField[field]!.run((spec[1] as (v: unknown) => unknown)(value), appid);
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
      return (selectApps.all() as AppRow[]).map(toApp);
    },
    async update(appid, patch) {
      return update.immediate(appid, patch);
    },
    async addSecret(secret) {
      insertSecret.run(secretParams(secret));
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
      return reserveInGroup(appid);
    },
    async releaseQuota(appid) {
      giveQuota.run(appid);
    },
  };
}
