import type { CheckKind } from '../core/factors.ts';
import { open as unseal, seal } from '../keys/seal.ts';
import type { App, AppPatch, AppStore, Secret } from '../store/types.ts';
import type { OpenSecret, TenantDirectory } from '../service/types.ts';
import { newAppid, newAppkey, newSecretId, newSecretKey } from './credentials.ts';

export interface NewApp {
  name: string;
  qps?: number | null;
  quota?: number | null;
  checks?: CheckKind[] | null;
  bucket?: string;
  ipAllow?: string[] | null;
  replayGuard?: boolean;
}

/** What `apps create --json` prints: the only time the secret key and appkey are shown. */
export interface Credentials {
  appid: string;
  name: string;
  bucket: string;
  secretId: string;
  secretKey: string;
  appkey: string;
}

export class TenantError extends Error {}

/**
 * Tenant administration (the CLI's `apps` commands) and the directory the dialects read.
 * Secrets are sealed with AES-256-GCM before they reach a store; unsealed values are cached in memory.
 */
export class Tenants implements TenantDirectory {
  private readonly unsealed = new Map<string, string>();

  constructor(
    private readonly apps: AppStore,
    private readonly sealKey: Buffer,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(spec: NewApp): Promise<Credentials> {
    const appid = await this.freshAppid();
    const bucket = spec.bucket ?? 'default';
    checkBucket(bucket);
    const appkey = newAppkey();
    const secretKey = newSecretKey();
    const secretId = newSecretId();
    const now = this.clock();
    const app: App = {
      appid,
      name: spec.name,
      bucket,
      buckets: [bucket],
      qps: spec.qps ?? null,
      quota: spec.quota ?? null,
      checks: spec.checks ?? null,
      ipAllow: spec.ipAllow ?? null,
      suspended: false,
      replayGuard: spec.replayGuard ?? true,
      appkeySealed: seal(this.sealKey, appkey),
      createdAt: now,
    };
    await this.apps.create(app, { secretId, appid, secretKeySealed: seal(this.sealKey, secretKey), revoked: false, createdAt: now });
    return { appid, name: spec.name, bucket, secretId, secretKey, appkey };
  }

  async update(appid: string, patch: AppPatch): Promise<App> {
    const app = await this.apps.update(appid, patch);
    if (!app) throw new TenantError(`no app ${appid}`);
    return app;
  }

  async require(appid: string): Promise<App> {
    const app = await this.apps.get(appid);
    if (!app) throw new TenantError(`no app ${appid}`);
    return app;
  }

  list(): Promise<App[]> {
    return this.apps.list();
  }

  listSecrets(appid: string): Promise<Secret[]> {
    return this.apps.listSecrets(appid);
  }

  async addSecret(appid: string): Promise<{ appid: string; secretId: string; secretKey: string }> {
    await this.require(appid);
    const secretId = newSecretId();
    const secretKey = newSecretKey();
    await this.apps.addSecret({ secretId, appid, secretKeySealed: seal(this.sealKey, secretKey), revoked: false, createdAt: this.clock() });
    return { appid, secretId, secretKey };
  }

  async revokeSecret(appid: string, secretId: string): Promise<void> {
    if (!(await this.apps.revokeSecret(appid, secretId))) throw new TenantError(`app ${appid} has no secret ${secretId}`);
  }

  // TenantDirectory: the dialects' read path.

  app(appid: string): Promise<App | undefined> {
    return this.apps.get(appid);
  }

  async secret(secretId: string): Promise<OpenSecret | undefined> {
    const secret = await this.apps.getSecret(secretId);
    if (!secret) return undefined;
    return { secretId, appid: secret.appid, secretKey: this.open(secret.secretKeySealed), revoked: secret.revoked };
  }

  appkey(app: App): string {
    return this.open(app.appkeySealed);
  }

  private open(sealed: string): string {
    let plain = this.unsealed.get(sealed);
    if (plain === undefined) {
      plain = unseal(this.sealKey, sealed);
      this.unsealed.set(sealed, plain);
    }
    return plain;
  }

  private async freshAppid(): Promise<string> {
    for (;;) {
      const appid = newAppid();
      if (!(await this.apps.get(appid))) return appid;
    }
  }
}

export function checkBucket(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(bucket)) {
    throw new TenantError(`bucket must be 1-40 lowercase letters, digits or '-': ${bucket}`);
  }
}
