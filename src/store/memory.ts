import type {
  App,
  AppPatch,
  AppStore,
  AuditRecord,
  AuditSink,
  ImportResult,
  NonceStore,
  RateLimiter,
  RegistryReplace,
  RegistryRow,
  RegistryStore,
  Secret,
  Store,
} from './types.ts';
import { guardedReplace, splitConflicts } from './registry-batch.ts';
import { memorySources } from './memory-sources.ts';
import { cardOf } from './rows.ts';
import { admit, newest, WINDOW_MS } from './window.ts';

/** Everything in one process's memory: for tests, the demo and single-process trials. */
export function openMemoryStore(_opts: Record<string, never> = {}): Store {
  let closed = false;
  const audit = memoryAudit();
  return {
    kind: 'memory',
    apps: memoryApps(),
    registry: memoryRegistry(),
    rate: memoryRate(),
    nonces: memoryNonces(),
    audit,
    sources: memorySources(),
    async ping() {
      if (closed) throw new Error('memory store is closed');
    },
    async close() {
      closed = true;
    },
  };
}

const copyApp = (a: App): App => ({
  ...a,
  buckets: [...a.buckets],
  checks: a.checks && [...a.checks],
  ipAllow: a.ipAllow && [...a.ipAllow],
});

function memoryApps(): AppStore {
  const apps = new Map<string, App>();
  const secrets = new Map<string, Secret>();
  const addSecret = (s: Secret) => {
    if (!apps.has(s.appid)) throw new Error(`unknown app ${s.appid}`);
    if (secrets.has(s.secretId)) throw new Error(`secret ${s.secretId} already exists`);
    secrets.set(s.secretId, { ...s });
  };
  return {
    async create(app, firstSecret) {
      if (apps.has(app.appid)) throw new Error(`app ${app.appid} already exists`);
      if (secrets.has(firstSecret.secretId)) throw new Error(`secret ${firstSecret.secretId} already exists`);
      apps.set(app.appid, copyApp(app));
      addSecret(firstSecret);
    },
    async get(appid) {
      const a = apps.get(appid);
      return a && copyApp(a);
    },
    async list() {
      return [...apps.values()].sort(byCreated((a) => a.appid)).map(copyApp);
    },
    async update(appid, patch: AppPatch) {
      const a = apps.get(appid);
      if (!a) return undefined;
      for (const [k, v] of Object.entries(patch)) {
        if (v !== undefined) (a as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
      }
      return copyApp(a);
    },
    async addSecret(s) {
      addSecret(s);
    },
    async revokeSecret(appid, secretId) {
      const s = secrets.get(secretId);
      if (!s || s.appid !== appid) return false;
      s.revoked = true;
      return true;
    },
    async getSecret(secretId) {
      const s = secrets.get(secretId);
      return s && { ...s };
    },
    async listSecrets(appid) {
      return [...secrets.values()]
        .filter((s) => s.appid === appid)
        .sort(byCreated((s) => s.secretId))
        .map((s) => ({ ...s }));
    },
    async reserveQuota(appid) {
      const a = apps.get(appid);
      if (!a) return false;
      if (a.quota === null) return true;
      if (a.quota <= 0) return false;
      a.quota -= 1;
      return true;
    },
    async releaseQuota(appid) {
      const a = apps.get(appid);
      if (a && a.quota !== null) a.quota += 1;
    },
  };
}

function byCreated<T extends { createdAt: number }>(tie: (x: T) => string) {
  return (x: T, y: T) => x.createdAt - y.createdAt || (tie(x) < tie(y) ? -1 : tie(x) > tie(y) ? 1 : 0);
}

/**
 * Bounded, resumable sweep over a Map: each call looks at a few entries and deletes the stale ones,
 * so forgotten keys are reclaimed without any call paying for the whole map.
 */
function sweeper<V>(map: Map<string, V>, stale: (v: V, now: number) => boolean, perCall = 16) {
  let it = map.entries();
  return (now: number) => {
    for (let i = 0; i < perCall; i++) {
      const step = it.next();
      if (step.done) {
        it = map.entries();
        return;
      }
      if (stale(step.value[1], now)) map.delete(step.value[0]);
    }
  };
}

function memoryRate(): RateLimiter {
  const windows = new Map<string, number[]>();
  const sweep = sweeper(windows, (times, now) => newest(times) <= now - WINDOW_MS);
  return {
    async take(key, limit, nowMs) {
      sweep(nowMs);
      let times = windows.get(key);
      if (!times) windows.set(key, (times = []));
      return admit(times, limit, nowMs);
    },
  };
}

function memoryNonces(): NonceStore {
  const expiries = new Map<string, number>();
  const sweep = sweeper(expiries, (expiresAt, now) => expiresAt <= now);
  return {
    async claim(key, ttlMs, nowMs) {
      sweep(nowMs);
      const expiresAt = expiries.get(key);
      if (expiresAt !== undefined && expiresAt > nowMs) return false;
      expiries.set(key, nowMs + ttlMs);
      return true;
    },
  };
}

const copyBuffer = (b: Buffer | null) => b && Buffer.from(b);
const copyRow = (r: RegistryRow): RegistryRow => ({
  ...r,
  idHash: Buffer.from(r.idHash),
  nameHash: Buffer.from(r.nameHash),
  cardHash: copyBuffer(cardOf(r.cardHash)),
  phoneHash: copyBuffer(r.phoneHash),
});

/** Rows grouped by person (hex of the ID hash), then keyed by card (hex, '' for no card). */
type People = Map<string, Map<string, RegistryRow>>;

function importInto(people: People, rows: RegistryRow[]): ImportResult {
  const { accepted, conflicts } = splitConflicts(rows, (id) => people.get(id)?.values().next().value?.nameHash);
  const result: ImportResult = { inserted: 0, duplicates: 0, conflicts };
  for (const row of accepted) {
    const id = row.idHash.toString('hex');
    let cards = people.get(id);
    const card = row.cardHash ? row.cardHash.toString('hex') : '';
    if (cards?.has(card)) {
      result.duplicates++;
      continue;
    }
    if (!cards) people.set(id, (cards = new Map()));
    cards.set(card, copyRow(row));
    result.inserted++;
  }
  return result;
}

const countRows = (people: People) => {
  let n = 0;
  for (const cards of people.values()) n += cards.size;
  return n;
};

function memoryRegistry(): RegistryStore {
  let people: People = new Map();
  return {
    async importBatch(rows) {
      return importInto(people, rows);
    },
    async lookup(idHash) {
      return [...(people.get(idHash.toString('hex'))?.values() ?? [])].map(copyRow);
    },
    async match(idHash, nameHash, cardHash) {
      const rows = [...(people.get(idHash.toString('hex'))?.values() ?? [])];
      const cards = rows.flatMap((r) => (r.cardHash && r.cardHash.length > 0 ? [r.cardHash] : []));
      return {
        found: rows.length > 0,
        nameMatches: rows.some((r) => r.nameHash.equals(nameHash)),
        cardsOnFile: cards.length > 0,
        cardMatches: cardHash !== null && cards.some((c) => c.equals(cardHash)),
      };
    },
    async remove(idHash) {
      const id = idHash.toString('hex');
      const n = people.get(id)?.size ?? 0;
      people.delete(id);
      return n;
    },
    async beginReplace(): Promise<RegistryReplace> {
      const staged: People = new Map();
      return guardedReplace({
        importBatch: (rows) => importInto(staged, rows),
        swap: () => {
          people = staged;
        },
        drop: () => undefined,
      });
    },
    async count() {
      return countRows(people);
    },
  };
}

function memoryAudit(): AuditSink {
  const records: AuditRecord[] = [];
  return {
    write(record) {
      records.push(structuredClone(record));
    },
    async flush() {},
    async query({ appid, limit = 100 }) {
      const out: AuditRecord[] = [];
      // Stable: equal times keep newest-written first.
      const sorted = records.map((r, i) => ({ r, i })).sort((x, y) => y.r.at - x.r.at || y.i - x.i);
      for (const { r } of sorted) {
        if (out.length >= limit) break;
        if (appid === undefined || r.appid === appid) out.push(structuredClone(r));
      }
      return out;
    },
  };
}
