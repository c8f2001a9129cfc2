import { randomBytes } from 'node:crypto';
import { clientAddress, createAccessRules, createReplayGuard, type OpenSecret, type TenantDirectory } from '../../../src/access/index.ts';
import { tencentImage } from '../../../src/dialects/tencent-image/index.ts';
import { signAuthorization, type SignOptions } from '../../../src/protocols/tencent-image/signature.ts';
import type { App, NonceStore, RateLimiter } from '../../../src/store/types.ts';
import { type Answerer, BASE_TIME, type DialectHarness, outcome, serveDialect } from '../../helpers/dialect-harness.ts';
import { makeApp } from '../../store/contract.ts';

/**
 * A dialect-level harness: the real plugin and access rules on a real loopback server, with in-memory
 * tenants, counters and a scripted verifier. It pins parsing, signatures, codes and their order; the
 * end-to-end path (registry, quota, validation) is covered by the server tests once the pieces are assembled.
 */

export interface Credentials {
  appid: string;
  bucket: string;
  secretId: string;
  secretKey: string;
}

export interface Harness extends DialectHarness {
  addApp: (patch?: Partial<App>) => Credentials;
  updateApp: (appid: string, patch: Partial<App>) => void;
  addSecret: (appid: string) => Credentials;
  revoke: (secretId: string) => void;
}

export { outcome, type Answerer };

export const matchAll: Answerer = ({ kind, checkId }) => ({ outcome: outcome(kind, checkId, {}) });

export async function startHarness(options: { trustProxy?: string[]; realClock?: boolean; bodyLimit?: number } = {}): Promise<Harness> {
  const clock = { now: BASE_TIME };
  const apps = new Map<string, App>();
  const secrets = new Map<string, OpenSecret>();
  let nextAppid = 1250000001;
  const now = options.realClock ? Date.now : () => clock.now;

  const tenants: TenantDirectory = {
    app: async (appid) => apps.get(appid),
    secret: async (secretId) => secrets.get(secretId),
    appkey: () => 'unused',
  };
  const house = {
    clock: now,
    newCheckId: () => randomBytes(16).toString('hex'),
    tenants,
    access: createAccessRules(),
    replay: createReplayGuard(nonceMemory()),
    clientIp: clientAddress(options.trustProxy ?? []),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
  };

  const addSecret = (appid: string): Credentials => {
    const app = apps.get(appid);
    if (!app) throw new Error(`no app ${appid}`);
    const secret: OpenSecret = {
      appid,
      secretId: `AKID${randomBytes(12).toString('hex')}`,
      secretKey: randomBytes(16).toString('hex'),
      revoked: false,
    };
    secrets.set(secret.secretId, secret);
    return { appid, bucket: app.bucket, secretId: secret.secretId, secretKey: secret.secretKey };
  };

  const base = await serveDialect({ clock, house, rate: slidingWindow(), first: matchAll, plugin: (services) => tencentImage.plugin(services) });

  return {
    ...base,
    addApp(patch = {}) {
      const appid = String(nextAppid++);
      apps.set(appid, makeApp(appid, { bucket: 'main', buckets: ['main', 'other'], appkeySealed: '', createdAt: clock.now, replayGuard: true, ...patch }));
      return addSecret(appid);
    },
    updateApp(appid, patch) {
      const app = apps.get(appid);
      if (!app) throw new Error(`no app ${appid}`);
      apps.set(appid, { ...app, ...patch });
    },
    addSecret,
    revoke(secretId) {
      const secret = secrets.get(secretId);
      if (secret) secret.revoked = true;
    },
  };
}

/** A signature for `creds` at the harness clock, valid for an hour unless overridden. */
export function sign(h: Pick<Harness, 'clock' | 'services'>, creds: Credentials, o: Partial<SignOptions> = {}): string {
  const now = Math.floor(h.services.clock() / 1000);
  return signAuthorization({
    appid: creds.appid,
    bucket: creds.bucket,
    secretId: creds.secretId,
    secretKey: creds.secretKey,
    now,
    expiry: now + 3600,
    rand: Math.floor(Math.random() * 90000) + 10000,
    ...o,
  });
}

export interface Reply {
  status: number;
  code: number;
  message: string;
  sessionId: string;
  raw: string;
}

/** POSTs over loopback; `body` objects are sent as JSON, strings and buffers verbatim. */
export async function post(
  h: Pick<Harness, 'url'>,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(h.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  const raw = await res.text();
  const json = JSON.parse(raw) as { code: number; message: string; data: { session_id: string } };
  return { status: res.status, code: json.code, message: json.message, sessionId: json.data.session_id, raw };
}

/** Exact sliding window per key, in memory (the store's own limiter has its contract tests). */
function slidingWindow(): RateLimiter {
  const admitted = new Map<string, number[]>();
  return {
    async take(key, limit, nowMs) {
      const times = (admitted.get(key) ?? []).filter((t) => t > nowMs - 1000);
      const ok = times.length < limit;
      if (ok) times.push(nowMs);
      admitted.set(key, times);
      return ok;
    },
  };
}

function nonceMemory(): NonceStore {
  const until = new Map<string, number>();
  return {
    async claim(key, ttlMs, nowMs) {
      const expires = until.get(key);
      if (expires !== undefined && expires > nowMs) return false;
      until.set(key, nowMs + ttlMs);
      return true;
    },
  };
}
