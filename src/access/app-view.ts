import type { App, Secret } from '../store/types.ts';

/** An app as operators see it (`apps list/show`, the console): never a secret key or appkey, shown once at creation. */
export function publicView(app: App) {
  return {
    appid: app.appid,
    name: app.name,
    bucket: app.bucket,
    buckets: app.buckets,
    qps: app.qps,
    quota: app.quota,
    checks: app.checks,
    ip: app.ipAllow,
    dailyPerId: app.dailyPerId,
    dailyPerName: app.dailyPerName,
    suspended: app.suspended,
    replayGuard: app.replayGuard,
    createdAt: new Date(app.createdAt).toISOString(),
  };
}

export const secretView = (s: Secret) => ({ secretId: s.secretId, revoked: s.revoked, createdAt: new Date(s.createdAt).toISOString() });
