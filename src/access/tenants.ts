import type { CheckKind } from '../core/factors.ts';
import type { Sealer } from '../keys/ring.ts';
import { open as unseal, seal } from '../keys/seal.ts';
import { AppNameTaken, type App, type AppPatch, type AppStore, type Secret } from '../store/types.ts';
import type { OpenSecret, TenantDirectory } from './types.ts';
import { newAppid, newAppkey, newSecretId, newSecretKey } from './credentials.ts';
import { isAppid, isSecretId } from './identifiers.ts';
import { checkAppName, checkLimit, LimitError, QPS, QUOTA } from './limits.ts';

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

/** The app named does not exist (the console answers it 404, the CLI as any tenant error). */
export class NoSuchApp extends TenantError {}

/** What a rewrap re-sealed under the current key. */
export interface Resealed {
  appkeys: number;
  secrets: number;
}

/** A lone seal key (tests, tools): v1 values, as stores made before key ids were recorded hold. */
function plainSealer(key: Buffer): Sealer {
  return { seal: (text) => seal(key, text), open: (sealed) => unseal(key, sealed), keyIdOf: () => 'plain' };
}

/**
 * What the store takes for qps: the rule people are given (1 up, src/access/limits.ts), and 0 too —
 * an app admitted to nothing, which the gate's tests use to bring about the rate-limit refusal.
 */
const STORED_QPS = { ...QPS, min: 0 };

/** The limits a new app or a patch sets, checked against the one rule per limit (src/access/limits.ts). */
function checkPatch<T extends Partial<Pick<App, 'qps' | 'quota' | 'name'>>>(patch: T): T {
  try {
    const checked = { ...patch };
    if (patch.qps !== undefined) checked.qps = checkLimit(STORED_QPS, patch.qps);
    if (patch.quota !== undefined) checked.quota = checkLimit(QUOTA, patch.quota);
    if (patch.name !== undefined) checked.name = checkAppName(patch.name);
    return checked;
  } catch (error) {
    if (error instanceof LimitError) throw new TenantError(error.message);
    throw error;
  }
}

async function named<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppNameTaken) throw new TenantError(`${error.message}: names are unique; choose another`);
    throw error;
  }
}

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
  private readonly sealer: Sealer;

  constructor(
    private readonly apps: AppStore,
    /** Seals with the current master key, opens with whichever a value names (a bare key: v1 values). */
    sealer: Sealer | Buffer,
    private readonly clock: () => number = Date.now,
    options: TenantsOptions = {},
  ) {
    this.sealer = Buffer.isBuffer(sealer) ? plainSealer(sealer) : sealer;
    this.cacheTtlMs = options.cacheTtlMs ?? 1000;
  }

  async create(request: NewApp): Promise<Credentials> {
    const spec = checkPatch(request);
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
      appkeySealed: this.sealer.seal(appkey),
      createdAt: now,
    };
    await named(this.apps.create(app, { secretId, appid, secretKeySealed: this.sealer.seal(secretKey), revoked: false, createdAt: now }));
    this.forget();
    return { appid, name: spec.name, bucket, secretId, secretKey, appkey };
  }

  async update(appid: string, patch: AppPatch): Promise<App> {
    const app = isAppid(appid) ? await named(this.apps.update(appid, checkPatch(patch))) : undefined;
    this.forget();
    if (!app) throw new NoSuchApp(noApp(appid));
    return app;
  }

  async require(appid: string): Promise<App> {
    const app = isAppid(appid) ? await this.apps.get(appid) : undefined;
    if (!app) throw new NoSuchApp(noApp(appid));
    return app;
  }

  /** A new SUBMAIL appkey for the app; the old one stops working (within a second on a running server). */
  async rotateAppkey(appid: string): Promise<{ appid: string; appkey: string }> {
    await this.require(appid);
    const appkey = newAppkey();
    await this.update(appid, { appkeySealed: this.sealer.seal(appkey) });
    return { appid, appkey };
  }

  async addBucket(appid: string, bucket: string): Promise<App> {
    checkBucket(bucket);
    const app = await this.require(appid);
    if (app.buckets.includes(bucket)) throw new TenantError(`app ${appid} already has bucket ${bucket}`);
    return this.update(appid, { buckets: [...app.buckets, bucket] });
  }

  async removeBucket(appid: string, bucket: string): Promise<App> {
    const app = await this.require(appid);
    if (!app.buckets.includes(bucket)) throw new TenantError(`app ${appid} has no bucket ${bucket} (it has ${app.buckets.join(', ')})`);
    if (bucket === app.bucket) throw new TenantError(`bucket ${bucket} is app ${appid}'s default bucket and cannot be removed`);
    return this.update(appid, { buckets: app.buckets.filter((b) => b !== bucket) });
  }

  /** Deletes the app and its secrets; its audit records stay. */
  async delete(appid: string): Promise<void> {
    const deleted = await this.apps.delete(appid);
    this.forget();
    if (!deleted) throw new NoSuchApp(noApp(appid));
  }

  /** Re-seals every appkey and secret not sealed under the current key (a key rewrap); safe to repeat. */
  async reseal(currentKeyId: string): Promise<Resealed> {
    const done: Resealed = { appkeys: 0, secrets: 0 };
    for (const app of await this.apps.list()) {
      if (this.sealer.keyIdOf(app.appkeySealed) !== currentKeyId) {
        const to = this.sealer.seal(this.open(app.appkeySealed));
        if (await this.apps.resealAppkey(app.appid, app.appkeySealed, to)) done.appkeys++;
      }
      for (const secret of await this.apps.listSecrets(app.appid)) {
        if (this.sealer.keyIdOf(secret.secretKeySealed) === currentKeyId) continue;
        const to = this.sealer.seal(this.open(secret.secretKeySealed));
        if (await this.apps.resealSecret(secret.secretId, secret.secretKeySealed, to)) done.secrets++;
      }
    }
    this.forget();
    return done;
  }

  /** Sealed values per master key id: what a key still protects. */
  async sealedByKey(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const count = (sealed: string) => {
      const id = this.sealer.keyIdOf(sealed);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    };
    for (const app of await this.apps.list()) {
      count(app.appkeySealed);
      for (const secret of await this.apps.listSecrets(app.appid)) count(secret.secretKeySealed);
    }
    return counts;
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
    await this.apps.addSecret({ secretId, appid, secretKeySealed: this.sealer.seal(secretKey), revoked: false, createdAt: this.clock() });
    this.forget();
    return { appid, secretId, secretKey };
  }

  async revokeSecret(appid: string, secretId: string): Promise<void> {
    const revoked = isAppid(appid) && isSecretId(secretId) && (await this.apps.revokeSecret(appid, secretId));
    this.forget();
    if (!revoked) throw new TenantError(`app ${appid} has no secret ${secretId} (apps show ${appid} lists its secrets)`);
  }

  // TenantDirectory: the dialects' read path. An identifier of another shape is unknown without a
  // store round trip (identifiers.ts): junk costs nothing and never reaches a backend.

  async app(appid: string): Promise<App | undefined> {
    if (!isAppid(appid)) return undefined;
    const hit = this.appCache.get(appid);
    if (hit && hit.until > this.clock()) return hit.value;
    const app = await this.apps.get(appid);
    // Unknown ids are not remembered: an app created elsewhere works at once, and junk ids fill nothing.
    if (app) this.remember(this.appCache, appid, app);
    else this.appCache.delete(appid);
    return app;
  }

  async secret(secretId: string): Promise<OpenSecret | undefined> {
    if (!isSecretId(secretId)) return undefined;
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
      plain = this.sealer.open(sealed);
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

const noApp = (appid: string) => `no app ${appid} (realname apps list shows the apps)`;

export function checkBucket(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(bucket)) {
    throw new TenantError(`bucket must be 1-40 lowercase letters, digits or '-', starting with a letter or digit: ${bucket}`);
  }
}
