import {
  AppNameTaken,
  type App,
  type AppPatch,
  type AppStore,
  type AuditRecord,
  type AuditSink,
  type DailyCounter,
  type ImportResult,
  type NonceStore,
  type RateLimiter,
  type RegistryReplace,
  type RegistryRow,
  type RegistryStore,
  type Secret,
  type Store,
  type KeyStore,
  type LeaseStore,
  type QuotaLease,
  type RegistryCursor,
  type StoredKey,
} from './types.ts';
import { canonicalCheckId } from '../core/check-id.ts';
import { guardedReplace, splitConflicts } from './registry-batch.ts';
import { memorySources } from './memory-sources.ts';
import { memoryOperators } from './memory-operators.ts';
import { memoryApiKeys, memoryIdempotency } from './memory-rest.ts';
import { billedListeners, quotaGrant, rateShare, releasedFreeAt, wholeRequest } from './leases.ts';
import { randomBytes } from 'node:crypto';
import { cardOf } from './rows.ts';
import { admit, newest, WINDOW_MS } from './window.ts';

/** Everything in one process's memory: for tests, the demo and single-process trials. */
export function openMemoryStore(_opts: Record<string, never> = {}): Store {
  let closed = false;
  const ledger: Ledger = { apps: new Map(), leases: new Map(), epochs: new Map(), reclaims: new Map(), shares: new Map(), released: new Map() };
  const node = randomBytes(8).toString('hex');
  const billed = billedListeners();
  const audit = memoryAudit((record) => {
    // A billed answer's unit leaves this node's lease as its record is kept.
    if (!record.billed || record.appid === null) return;
    const own = ledger.leases.get(record.appid)?.get(node);
    if (own) own.units = Math.max(0, own.units - 1);
    billed.committed(new Map([[record.appid, 1]]));
  }, billed.add);
  return {
    kind: 'memory',
    node,
    apps: memoryApps(ledger),
    leases: memoryLeases(ledger),
    registry: memoryRegistry(),
    rate: memoryRate(),
    nonces: memoryNonces(),
    daily: memoryDaily(),
    audit,
    keys: memoryKeys(),
    sources: memorySources(),
    operators: memoryOperators(),
    apiKeys: memoryApiKeys(),
    idempotency: memoryIdempotency(),
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

/** The apps and what nodes hold of their counters. */
interface Ledger {
  apps: Map<string, App>;
  /** appid → node → unspent units and when the lease lapses. */
  leases: Map<string, Map<string, { units: number; expiresAt: number }>>;
  epochs: Map<string, number>;
  reclaims: Map<string, number>;
  /** appid → node → share of the QPS limit. */
  shares: Map<string, Map<string, { share: number; want: number; expiresAt: number }>>;
  /** appid → shares given up, free again at `freeAt`. */
  released: Map<string, { units: number; freeAt: number }[]>;
}

const leasedUnits = (ledger: Ledger, appid: string): number => {
  let sum = 0;
  for (const l of ledger.leases.get(appid)?.values() ?? []) sum += l.units;
  return sum;
};

function memoryApps(ledger: Ledger): AppStore {
  const apps = ledger.apps;
  /** What `get` and `list` report: the balance not yet billed, leased units included. */
  const view = (a: App): App => {
    const copy = copyApp(a);
    if (copy.quota !== null) copy.quota += leasedUnits(ledger, a.appid);
    return copy;
  };
  const secrets = new Map<string, Secret>();
  const addSecret = (s: Secret) => {
    if (!apps.has(s.appid)) throw new Error(`unknown app ${s.appid}`);
    if (secrets.has(s.secretId)) throw new Error(`secret ${s.secretId} already exists`);
    secrets.set(s.secretId, { ...s });
  };
  const nameTaken = (name: string, except?: string) => [...apps.values()].some((a) => a.name === name && a.appid !== except);
  return {
    async create(app, firstSecret) {
      if (apps.has(app.appid)) throw new Error(`app ${app.appid} already exists`);
      if (secrets.has(firstSecret.secretId)) throw new Error(`secret ${firstSecret.secretId} already exists`);
      if (nameTaken(app.name)) throw new AppNameTaken(app.name);
      apps.set(app.appid, copyApp(app));
      addSecret(firstSecret);
    },
    async get(appid) {
      const a = apps.get(appid);
      return a && view(a);
    },
    async list() {
      return [...apps.values()].sort(byCreated((a) => a.appid)).map(view);
    },
    async update(appid, patch: AppPatch) {
      const a = apps.get(appid);
      if (!a) return undefined;
      if (patch.name !== undefined && nameTaken(patch.name, appid)) throw new AppNameTaken(patch.name);
      for (const [k, v] of Object.entries(patch)) {
        if (v !== undefined) (a as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
      }
      // A new quota is the whole remaining balance: every lease of the old one is void.
      if (patch.quota !== undefined) {
        ledger.leases.delete(appid);
        ledger.epochs.set(appid, (ledger.epochs.get(appid) ?? 0) + 1);
        ledger.reclaims.delete(appid);
      }
      return view(a);
    },
    async delete(appid) {
      if (!apps.delete(appid)) return false;
      for (const [id, s] of secrets) if (s.appid === appid) secrets.delete(id);
      return true;
    },
    async addSecret(s) {
      addSecret(s);
    },
    async resealAppkey(appid, from, to) {
      const a = apps.get(appid);
      if (!a || a.appkeySealed !== from) return false;
      a.appkeySealed = to;
      return true;
    },
    async resealSecret(secretId, from, to) {
      const s = secrets.get(secretId);
      if (!s || s.secretKeySealed !== from) return false;
      s.secretKeySealed = to;
      return true;
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

function memoryLeases(ledger: Ledger): LeaseStore {
  const state = (appid: string, node: string, nowMs: number): QuotaLease | undefined => {
    const app = ledger.apps.get(appid);
    if (!app) return undefined;
    const epoch = ledger.epochs.get(appid) ?? 0;
    const reclaimAt = ledger.reclaims.get(appid) ?? 0;
    if (app.quota === null) return { held: 0, granted: 0, lapsed: false, balance: null, heldElsewhere: 0, otherNodes: 0, epoch, reclaimAt };
    let held = 0;
    let heldElsewhere = 0;
    let otherNodes = 0;
    for (const [n, l] of ledger.leases.get(appid) ?? []) {
      if (n === node) held = l.units;
      else if (l.expiresAt > nowMs) {
        heldElsewhere += l.units;
        otherNodes++;
      }
    }
    return { held, granted: 0, lapsed: false, balance: app.quota, heldElsewhere, otherNodes, epoch, reclaimAt };
  };
  return {
    async quota(request) {
      const req = wholeRequest(request);
      const app = ledger.apps.get(req.appid);
      if (!app) return undefined;
      const epoch = ledger.epochs.get(req.appid) ?? 0;
      if (app.quota === null) return state(req.appid, req.node, req.nowMs);
      let leases = ledger.leases.get(req.appid);
      if (!leases) ledger.leases.set(req.appid, (leases = new Map()));
      // A lapsed lease gives its unspent units back — the caller's own too: units of a lapsed lease are void.
      const lapsed = (leases.get(req.node)?.expiresAt ?? Infinity) <= req.nowMs;
      for (const [n, l] of leases) {
        if (l.expiresAt <= req.nowMs) {
          app.quota += l.units;
          leases.delete(n);
        }
      }
      const own = leases.get(req.node) ?? { units: 0, expiresAt: 0 };
      if (req.epoch === epoch) {
        const give = Math.min(req.give, own.units);
        own.units -= give;
        app.quota += give;
      }
      const live = 1 + [...leases].filter(([n, l]) => n !== req.node && l.expiresAt > req.nowMs).length;
      const grant = quotaGrant(req.take, app.quota, live);
      app.quota -= grant;
      own.units += grant;
      own.expiresAt = req.nowMs + req.ttlMs;
      if (own.units > 0) leases.set(req.node, own);
      else leases.delete(req.node);
      const after = state(req.appid, req.node, req.nowMs)!;
      if (req.starving && grant === 0 && after.heldElsewhere > after.otherNodes) {
        ledger.reclaims.set(req.appid, req.nowMs);
        after.reclaimAt = req.nowMs;
      }
      return { ...after, granted: grant, lapsed };
    },
    async quotaState(appid, node, nowMs) {
      return state(appid, node, nowMs);
    },
    async rate(req) {
      let shares = ledger.shares.get(req.appid);
      if (!shares) ledger.shares.set(req.appid, (shares = new Map()));
      let released = (ledger.released.get(req.appid) ?? []).filter((r) => r.freeAt > req.nowMs);
      for (const [n, s] of shares) {
        if (n === req.node || s.expiresAt > req.nowMs) continue;
        // A lapsed share may have admitted until it lapsed: free a second after.
        released.push({ units: s.share, freeAt: releasedFreeAt(s.expiresAt) });
        shares.delete(n);
      }
      released = released.filter((r) => r.freeAt > req.nowMs);
      const current = shares.get(req.node)?.share ?? 0;
      const others = [...shares].filter(([n]) => n !== req.node).map(([, s]) => s);
      const pending = released.reduce((sum, r) => sum + r.units, 0);
      const share = rateShare(req, others, pending);
      if (share < current) released.push({ units: current - share, freeAt: releasedFreeAt(req.nowMs) });
      ledger.released.set(req.appid, released);
      shares.set(req.node, { share, want: Math.max(0, Math.floor(req.want)), expiresAt: req.nowMs + req.ttlMs });
      return { share, otherNodes: others.length };
    },
    async release(node, nowMs) {
      for (const [appid, leases] of ledger.leases) {
        const own = leases.get(node);
        const app = ledger.apps.get(appid);
        if (own && app && app.quota !== null) app.quota += own.units;
        leases.delete(node);
      }
      for (const [appid, shares] of ledger.shares) {
        const own = shares.get(node);
        if (!own) continue;
        shares.delete(node);
        const released = ledger.released.get(appid) ?? [];
        released.push({ units: own.share, freeAt: releasedFreeAt(nowMs) });
        ledger.released.set(appid, released);
      }
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

function memoryDaily(): DailyCounter {
  // One map per day (keys as hex); a take on a new day forgets the days before it.
  const days = new Map<number, Map<string, number>>();
  const countsOf = (day: number) => {
    let counts = days.get(day);
    if (!counts) {
      for (const old of days.keys()) if (old < day) days.delete(old);
      days.set(day, (counts = new Map()));
    }
    return counts;
  };
  return {
    async take(day, keys) {
      const counts = countsOf(day);
      const hex = keys.map(({ key }) => key.toString('hex'));
      if (keys.some(({ limit }, i) => (counts.get(hex[i]!) ?? 0) >= limit)) return false;
      for (const k of hex) counts.set(k, (counts.get(k) ?? 0) + 1);
      return true;
    },
    async release(day, keys) {
      const counts = days.get(day);
      for (const key of keys) {
        const k = key.toString('hex');
        const n = counts?.get(k) ?? 0;
        if (n > 0) counts!.set(k, n - 1);
      }
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

/**
 * Rows grouped by person (hex of the ID hash), then keyed by card (hex, '' for no card); and who holds
 * each card (card hex → ID hexes), the index a check without an ID number reads.
 */
interface People {
  byId: Map<string, Map<string, RegistryRow>>;
  holders: Map<string, Set<string>>;
}

const noPeople = (): People => ({ byId: new Map(), holders: new Map() });

function importInto(people: People, rows: RegistryRow[]): ImportResult {
  const { accepted, conflicts } = splitConflicts(rows, (id) => people.byId.get(id)?.values().next().value?.nameHash);
  const result: ImportResult = { inserted: 0, duplicates: 0, conflicts };
  for (const row of accepted) {
    const id = row.idHash.toString('hex');
    let cards = people.byId.get(id);
    const card = row.cardHash ? row.cardHash.toString('hex') : '';
    if (cards?.has(card)) {
      result.duplicates++;
      continue;
    }
    if (!cards) people.byId.set(id, (cards = new Map()));
    cards.set(card, copyRow(row));
    if (card !== '') {
      let holders = people.holders.get(card);
      if (!holders) people.holders.set(card, (holders = new Set()));
      holders.add(id);
    }
    result.inserted++;
  }
  return result;
}

const countRows = (people: People) => {
  let n = 0;
  for (const cards of people.byId.values()) n += cards.size;
  return n;
};

function memoryRegistry(): RegistryStore {
  let people = noPeople();
  const rowsOf = (idHash: Buffer) => [...(people.byId.get(idHash.toString('hex'))?.values() ?? [])];
  return {
    async importBatch(rows) {
      return importInto(people, rows);
    },
    async lookup(idHash) {
      return rowsOf(idHash).map(copyRow);
    },
    async match(idHash, nameHash, cardHash, phoneHash) {
      const rows = rowsOf(idHash);
      const cards = rows.flatMap((r) => (r.cardHash && r.cardHash.length > 0 ? [r.cardHash] : []));
      const match = {
        found: rows.length > 0,
        nameMatches: rows.some((r) => r.nameHash.equals(nameHash)),
        cardsOnFile: cards.length > 0,
        cardMatches: cardHash !== null && cards.some((c) => c.equals(cardHash)),
      };
      if (phoneHash === undefined) return match;
      // The phone reserved with the asked card, or any of the person's phones when no card is asked.
      const phones = rows.flatMap((r) => (r.phoneHash && (cardHash === null || r.cardHash?.equals(cardHash)) ? [r.phoneHash] : []));
      return { ...match, phonesOnFile: phones.length > 0, phoneMatches: phones.some((p) => p.equals(phoneHash)) };
    },
    async matchCard(cardHash, nameHash) {
      const card = cardHash.toString('hex');
      const holders = [...(people.holders.get(card) ?? [])];
      return {
        found: holders.length > 0,
        nameMatches: holders.some((id) => people.byId.get(id)?.get(card)?.nameHash.equals(nameHash) === true),
      };
    },
    async remove(idHash) {
      const id = idHash.toString('hex');
      const cards = people.byId.get(id);
      if (!cards) return 0;
      for (const card of cards.keys()) {
        const holders = people.holders.get(card);
        holders?.delete(id);
        if (holders?.size === 0) people.holders.delete(card);
      }
      people.byId.delete(id);
      return cards.size;
    },
    async beginReplace(): Promise<RegistryReplace> {
      const staged = noPeople();
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
    async countByKey() {
      const counts = new Map<string, number>();
      for (const cards of people.byId.values()) for (const r of cards.values()) counts.set(r.keyId, (counts.get(r.keyId) ?? 0) + 1);
      return counts;
    },
    async rowsByKey(keyId, limit, after) {
      const rows: RegistryRow[] = [];
      for (const cards of people.byId.values()) for (const r of cards.values()) if (r.keyId === keyId && (!after || comparePk(r, after) > 0)) rows.push(r);
      return rows.sort(comparePk).slice(0, limit).map(copyRow);
    },
    async rekey(pairs) {
      for (const { from, to } of pairs) {
        removeRow(people, from);
        addRow(people, to);
      }
    },
  };
}

const cardKey = (card: Buffer | null) => (card && card.length > 0 ? card.toString('hex') : '');

/** Adds a row unless its (person, card) is there already; keeps the card index. */
function addRow(people: People, row: RegistryRow): void {
  const id = row.idHash.toString('hex');
  const card = cardKey(row.cardHash);
  let cards = people.byId.get(id);
  if (!cards) people.byId.set(id, (cards = new Map()));
  if (cards.has(card)) return;
  cards.set(card, copyRow(row));
  if (card === '') return;
  let holders = people.holders.get(card);
  if (!holders) people.holders.set(card, (holders = new Set()));
  holders.add(id);
}

function removeRow(people: People, row: RegistryRow): void {
  const id = row.idHash.toString('hex');
  const card = cardKey(row.cardHash);
  const cards = people.byId.get(id);
  if (!cards?.delete(card)) return;
  if (cards.size === 0) people.byId.delete(id);
  const holders = people.holders.get(card);
  holders?.delete(id);
  if (holders?.size === 0) people.holders.delete(card);
}

/** Primary-key order, as the SQL backends keep it: ID hash, then card hash (no card first). */
function comparePk(a: RegistryCursor, b: RegistryCursor): number {
  return Buffer.compare(a.idHash, b.idHash) || Buffer.compare(a.cardHash ?? EMPTY, b.cardHash ?? EMPTY);
}
const EMPTY = Buffer.alloc(0);

function memoryKeys(): KeyStore {
  let keys: StoredKey[] = [];
  const copy = () => keys.map((k) => ({ ...k }));
  return {
    async list() {
      return copy();
    },
    async claim(first) {
      if (keys.length === 0) keys = [{ ...first, state: 'current' }];
      return copy();
    },
    async rotate(next, expectedCurrent) {
      const current = keys.find((k) => k.state === 'current');
      if (current?.keyId !== expectedCurrent || keys.some((k) => k.keyId === next.keyId)) return false;
      current.state = 'previous';
      keys.push({ ...next, state: 'current' });
      return true;
    },
    async retire(keyId, at) {
      const key = keys.find((k) => k.keyId === keyId && k.state === 'previous');
      if (!key) return false;
      Object.assign(key, { state: 'retired', pepperSealed: null, retiredAt: at });
      return true;
    },
  };
}

function memoryAudit(kept: (record: AuditRecord) => void, onBilled: AuditSink['onBilled']): AuditSink {
  const records: AuditRecord[] = [];
  return {
    write(record) {
      records.push(structuredClone(record));
      kept(record);
    },
    // Kept in memory at once: always accepting, nothing ever waits.
    accepting: () => true,
    health: () => ({ buffered: 0, limit: Infinity, failing: false, salvaged: 0, dropped: 0 }),
    whenStored(done) {
      done();
    },
    onBilled,
    async flush() {},
    async flushWithin() {},
    async query({ appid, checkId, limit = 100 }) {
      const out: AuditRecord[] = [];
      const wanted = checkId === undefined ? undefined : canonicalCheckId(checkId);
      // Stable: equal times keep newest-written first.
      const sorted = records.map((r, i) => ({ r, i })).sort((x, y) => y.r.at - x.r.at || y.i - x.i);
      for (const { r } of sorted) {
        if (out.length >= limit) break;
        if ((appid === undefined || r.appid === appid) && (wanted === undefined || r.checkId === wanted)) out.push(structuredClone(r));
      }
      return out;
    },
  };
}
