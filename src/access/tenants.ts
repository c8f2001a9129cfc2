import type { CheckKind } from '../core/factors.ts';
import { open as unseal, seal } from '../keys/seal.ts';
import type { App, AppPatch, AppStore, Secret } from '../store/types.ts';
import type { OpenSecret, TenantDirectory } from './types.ts';
import { newAppid, newAppkey, newSecretId, newSecretKey } from './credentials.ts';

export interface NewApp {
  name: string;
  qps?: number | null;
  quota?: number | null;
  checks?: CheckKind[] | null;
  bucket?: string;
  ipAllow?: string[] | null;
  dailyPerId?: number | null;
  dailyPerName?: number | null;
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

export interface TenantsOptions {
  /**
   * How long the directory serves an app or secret row from memory (default 1000 ms; 0 = always read
   * the store). Changes made through this instance take effect at once; changes made by another
   * process (the CLI) within this time. Quota is never cached: the store decides it on every check.
   */
  cacheTtlMs?: number;
}

interface Cached<T> {
  value: T;
  until: number;
}

/**
 * Tenant administration (the CLI's `apps` commands) and the directory the dialects read.
 * Secrets are sealed with AES-256-GCM before they reach a store; unsealed values are cached in memory.
 */
export class Tenants implements TenantDirectory {
  private readonly unsealed = new Map<string, string>();
  // The dialects read the app and the secret on every request: served from memory for cacheTtlMs.
  private readonly appCache = new Map<string, Cached<App>>();
  private readonly secretCache = new Map<string, Cached<OpenSecret>>();
  private readonly cacheTtlMs: number;

  constructor(
    private readonly apps: AppStore,
    private readonly sealKey: Buffer,
    private readonly clock: () => number = Date.now,
    options: TenantsOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 1000;
  }

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
      dailyPerId: spec.dailyPerId ?? null,
      dailyPerName: spec.dailyPerName ?? null,
      suspended: false,
      replayGuard: spec.replayGuard ?? true,
      appkeySealed: seal(this.sealKey, appkey),
      createdAt: now,
    };
    await this.apps.create(app, { secretId, appid, secretKeySealed: seal(this.sealKey, secretKey), revoked: false, createdAt: now });
    this.forget();
    return { appid, name: spec.name, bucket, secretId, secretKey, appkey };
  }

  async update(appid: string, patch: AppPatch): Promise<App> {
    const app = await this.apps.update(appid, patch);
    this.forget();
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
    this.forget();
    return { appid, secretId, secretKey };
  }

  async revokeSecret(appid: string, secretId: string): Promise<void> {
    const revoked = await this.apps.revokeSecret(appid, secretId);
    this.forget();
    if (!revoked) throw new TenantError(`app ${appid} has no secret ${secretId}`);
  }

  // TenantDirectory: the dialects' read path.

  async app(appid: string): Promise<App | undefined> {
    const hit = this.appCache.get(appid);
    if (hit && hit.until > this.clock()) return hit.value;
    const app = await this.apps.get(appid);
    // Unknown ids are not remembered: an app created elsewhere works at once, and junk ids fill nothing.
    if (app) this.remember(this.appCache, appid, app);
    else this.appCache.delete(appid);
    return app;
  }

  async secret(secretId: string): Promise<OpenSecret | undefined> {
    const hit = this.secretCache.get(secretId);
    if (hit && hit.until > this.clock()) return hit.value;
    const secret = await this.apps.getSecret(secretId);
    if (!secret) {
      this.secretCache.delete(secretId);
      return undefined;
    }
    const open = { secretId, appid: secret.appid, secretKey: this.open(secret.secretKeySealed), revoked: secret.revoked };
    this.remember(this.secretCache, secretId, open);
    return open;
  }

  appkey(app: App): string {
    return this.open(app.appkeySealed);
  }

  private remember<T>(cache: Map<string, Cached<T>>, key: string, value: T): void {
    if (this.cacheTtlMs > 0) cache.set(key, { value, until: this.clock() + this.cacheTtlMs });
  }

  /** Every change made through this instance is seen by its next read. */
  private forget(): void {
    this.appCache.clear();
    this.secretCache.clear();
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
