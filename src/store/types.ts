import type { CheckKind } from '../core/factors.ts';
import type { Verdict } from '../core/outcome.ts';

/**
 * Storage contracts: small, async, and what the callers need — nothing more.
 * Every backend (memory, sqlite; postgres and redis later) passes test/store/contract.ts.
 */

export interface App {
  /** Numeric string, as Tencent's appids are (a JSON number in a body is accepted by the dialect). */
  appid: string;
  name: string;
  /** Default bucket; `buckets` lists every bucket of the app (the default included). */
  bucket: string;
  buckets: string[];
  /** Requests per any 1-second window; null = unlimited. */
  qps: number | null;
  /** Remaining balance of billed checks, shared by every kind and dialect; null = unlimited. */
  quota: number | null;
  /** Permitted check kinds; null = every kind. */
  checks: CheckKind[] | null;
  /** CIDR allow-list of client addresses; null = any address. */
  ipAllow: string[] | null;
  /** Checks of one ID number per calendar day (Asia/Shanghai), in dialects that count them; null = no limit. */
  dailyPerId: number | null;
  /** Checks of one name per calendar day (Asia/Shanghai), in dialects that count them; null = no limit. */
  dailyPerName: number | null;
  suspended: boolean;
  /** SUBMAIL-style replay guard for signatures reused inside the timestamp window. */
  replayGuard: boolean;
  /** SUBMAIL appkey, sealed (AES-256-GCM) by the access layer: stores never see it in plaintext. */
  appkeySealed: string;
  createdAt: number;
}

export interface Secret {
  secretId: string;
  appid: string;
  /** Sealed (AES-256-GCM) by the access layer. */
  secretKeySealed: string;
  revoked: boolean;
  createdAt: number;
}

export type AppPatch = Partial<
  Pick<App, 'qps' | 'quota' | 'checks' | 'ipAllow' | 'dailyPerId' | 'dailyPerName' | 'suspended' | 'replayGuard' | 'name' | 'buckets' | 'appkeySealed'>
>;

/** Another app already has this name: names are unique, so people can tell apps apart. */
export class AppNameTaken extends Error {
  constructor(readonly appName: string) {
    super(`an app named ${JSON.stringify(appName)} already exists`);
  }
}

export interface AppStore {
  /** Throws AppNameTaken when another app has the name (exact across processes). */
  create(app: App, firstSecret: Secret): Promise<void>;
  get(appid: string): Promise<App | undefined>;
  list(): Promise<App[]>;
  /** Returns the updated app, or undefined when no such app. Throws AppNameTaken when renamed to a taken name. */
  update(appid: string, patch: AppPatch): Promise<App | undefined>;
  /** Deletes the app and its secrets; false when no such app. Its audit records stay. */
  delete(appid: string): Promise<boolean>;
  addSecret(secret: Secret): Promise<void>;
  /** Returns false when the secret does not exist for this app. */
  revokeSecret(appid: string, secretId: string): Promise<boolean>;
  /** Replaces a sealed appkey by the same appkey sealed anew, only if it is still `from` (a key rewrap). */
  resealAppkey(appid: string, from: string, to: string): Promise<boolean>;
  /** The same for a secret's sealed key. */
  resealSecret(secretId: string, from: string, to: string): Promise<boolean>;
  getSecret(secretId: string): Promise<Secret | undefined>;
  listSecrets(appid: string): Promise<Secret[]>;
  /**
   * Takes one unit of quota. True when taken or the app is unlimited; false when the balance is 0.
   * Exact under concurrency and across processes.
   */
  reserveQuota(appid: string): Promise<boolean>;
  /** Gives back a unit taken by reserveQuota (no verdict came). No-op for unlimited apps. */
  releaseQuota(appid: string): Promise<void>;
}

export interface RateLimiter {
  /**
   * Admits a request when fewer than `limit` were admitted for `key` in the window (now - 1000 ms, now].
   * Exact sliding window: at most `limit` admissions in any 1-second window, across processes.
   */
  take(key: string, limit: number, nowMs: number): Promise<boolean>;
}

/** One identity's count of a day: its key is a keyed hash (never a factor), its limit the app's. */
export interface DailyKey {
  key: Buffer;
  limit: number;
}

/**
 * How often each identity was checked on a calendar day (a YYYYMMDD number). Keys are opaque keyed
 * hashes made by the caller. Exact under concurrency and across processes.
 */
export interface DailyCounter {
  /** Counts one against every key when each is below its limit, all or none; false (nothing counted) when one is at it. */
  take(day: number, keys: readonly DailyKey[]): Promise<boolean>;
  /** Gives back one unit taken by `take` (the check was refused after all). */
  release(day: number, keys: readonly Buffer[]): Promise<void>;
}

export interface NonceStore {
  /** True the first time `key` is claimed within `ttlMs`; false while it is remembered. */
  claim(key: string, ttlMs: number, nowMs: number): Promise<boolean>;
}

/** One registry row: one per (person, bank card). Keyed hashes only, never plaintext. */
export interface RegistryRow {
  idHash: Buffer;
  nameHash: Buffer;
  cardHash: Buffer | null;
  phoneHash: Buffer | null;
  keyId: string;
  normVersion: number;
}

export interface ImportResult {
  inserted: number;
  /** Rows already present (re-import is idempotent). */
  duplicates: number;
  /** Indexes (into the batch) of rows whose ID hash is known with another name hash. */
  conflicts: number[];
}

export interface RegistryWriter {
  importBatch(rows: RegistryRow[]): Promise<ImportResult>;
}

export interface RegistryReplace extends RegistryWriter {
  /** Makes the staged rows the whole registry, atomically. */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** How a person's rows compare with the asked factors' hashes (the check path's one read). */
export interface RegistryMatch {
  /** The ID number is on file. */
  found: boolean;
  /** Their name hash equals the asked one. */
  nameMatches: boolean;
  /** At least one of their rows carries a bank card. */
  cardsOnFile: boolean;
  /** One of their cards equals the asked one (false when no card was asked). */
  cardMatches: boolean;
  /**
   * Only when a phone is asked. The phones compared are those of the rows carrying the asked card
   * (the phone reserved with it) when a card is asked, else those of every row of the person.
   * At least one of those rows carries a phone.
   */
  phonesOnFile?: boolean;
  /** Only when a phone is asked: one of those phones equals the asked one. */
  phoneMatches?: boolean;
}

/** How the rows carrying a bank card compare with an asked name (a check without an ID number). */
export interface CardMatch {
  /** Some row carries the card. */
  found: boolean;
  /** One of the rows carrying it is of a person with the asked name. */
  nameMatches: boolean;
}

/** Where a walk over one key's rows stopped: the last row's primary key. */
export interface RegistryCursor {
  idHash: Buffer;
  /** null: no card. */
  cardHash: Buffer | null;
}

/** A row made under an old key and the same row under the current key (src/registry/rekey.ts). */
export interface RekeyedRow {
  from: RegistryRow;
  to: RegistryRow;
}

export interface RegistryStore extends RegistryWriter {
  /** Every row of the person with this ID hash (empty when unknown). */
  lookup(idHash: Buffer): Promise<RegistryRow[]>;
  /**
   * Compares in the store: only flags come back, never the rows' hashes (no buffers per check).
   * `cardHash` null when no card is asked; `phoneHash` omitted when no phone is asked (and then the
   * answer carries no phone flags).
   */
  match(idHash: Buffer, nameHash: Buffer, cardHash: Buffer | null, phoneHash?: Buffer): Promise<RegistryMatch>;
  /** The rows carrying this bank card, whoever's they are, compared with the asked name (indexed by card). */
  matchCard(cardHash: Buffer, nameHash: Buffer): Promise<CardMatch>;
  /** Removes every row of the person; returns the number of rows removed. */
  remove(idHash: Buffer): Promise<number>;
  beginReplace(): Promise<RegistryReplace>;
  count(): Promise<number>;
  /** Rows per key id (a full scan: for `realname keys`, never for a check). */
  countByKey(): Promise<Map<string, number>>;
  /** Up to `limit` rows made under `keyId`, in primary-key order after `after`. */
  rowsByKey(keyId: string, limit: number, after?: RegistryCursor): Promise<RegistryRow[]>;
  /**
   * In one transaction: each `to` row is inserted (a row already there is kept) and its `from` row
   * deleted. A rewrap interrupted between batches loses nothing and repeats nothing.
   */
  rekey(rows: RekeyedRow[]): Promise<void>;
}

export type KeyState = 'current' | 'previous' | 'retired';

/**
 * A master key as the store knows it: never the key itself. A store records the key it was created
 * with, and every key rotated in after it (src/keys/ring.ts).
 */
export interface StoredKey {
  keyId: string;
  /** current: new seals and hashes use it; previous: rotated out, its rows still readable; retired: nothing uses it. */
  state: KeyState;
  /** HMAC of a fixed text under the key's 'key-check' derived key: proves a node holds this very key. */
  check: string;
  /** A store's first key hashes the registry plainly; keys rotated in after it wrap those hashes. */
  wraps: boolean;
  /** The registry's hash pepper, sealed under this key (null once retired). */
  pepperSealed: string | null;
  createdAt: number;
  retiredAt: number | null;
}

export interface KeyStore {
  /** Oldest first. */
  list(): Promise<StoredKey[]>;
  /** Records the store's first key unless a key is recorded already; returns the keys on record after. */
  claim(first: StoredKey): Promise<StoredKey[]>;
  /** Makes `next` current and the current key previous, atomically; false when `expectedCurrent` is no longer current. */
  rotate(next: StoredKey, expectedCurrent: string): Promise<boolean>;
  /** Marks a previous key retired and forgets its sealed pepper; false when it is not a previous key. */
  retire(keyId: string, at: number): Promise<boolean>;
}

/** Masked forms only (张*, 1101**********1234): an audit record never holds a plaintext factor. */
export interface AuditRecord {
  checkId: string;
  at: number;
  appid: string | null;
  dialect: string;
  kind: CheckKind | null;
  verdict: Verdict | null;
  /** Why the request was refused (the gate's closed set), or null for a verdict. */
  refusal: string | null;
  /** The dialect's own code, as a string (e.g. "0", "-5803", "1204"). */
  code: string;
  masked: { name?: string; idNumber?: string; bankCard?: string; phone?: string };
  /** Keyed hashes (hex) of each factor sent, under the audit's own derived key: a person's records are found by them. */
  hashes?: FactorHashes;
  source: string | null;
  billed: boolean;
  latencyMs: number;
  /** The route the request came to (as registered), and the client address the allow-lists judged. */
  route?: string | null;
  clientIp?: string | null;
}

export type FactorName = 'name' | 'idNumber' | 'bankCard' | 'phone';
export type FactorHashes = Partial<Record<FactorName, string>>;

/** A record as stored: its place in the table and in its writer's chain (null: written without a chain key, or before chains). */
export interface StoredAudit extends AuditRecord {
  seq: number;
  chain: string | null;
  batch: number | null;
}

/** What an audit search selects; every field narrows it. Times in ms since the epoch, `until` exclusive. */
export interface AuditFilter {
  appid?: string;
  since?: number;
  until?: number;
  verdict?: string;
  refusal?: string;
  dialect?: string;
  kind?: string;
  /** Either rendering (32 hex, or a UUID's groups). */
  checkId?: string;
  /** A factor's keyed hash (src/audit/lookup.ts): the person's records. */
  hash?: { factor: FactorName; value: string };
  /** One person's records, by keyed hashes: see AuditSubject. */
  subject?: AuditSubject;
}

/**
 * A person as the audit finds them, by keyed hashes: every record carrying their ID number, and every
 * record carrying one of their bank cards or phones and no ID number at all (a name + card check). A
 * record with someone else's ID number is about that person, and stays theirs.
 */
export interface AuditSubject {
  idNumber: string;
  bankCards: readonly string[];
  phones: readonly string[];
}

export type ChainEventKind = 'purge' | 'erase' | 'access';

/** One link of a writing process's chain: a batch of records, or an event (src/store/audit-chain.ts). */
export interface ChainEntry {
  chain: string;
  n: number;
  kind: 'batch' | ChainEventKind;
  /** When it was committed; `firstAt`: its oldest record's time (an event's own time). */
  at: number;
  firstAt: number;
  /** Records in the batch (an event: records it removed or anonymised). */
  records: number;
  prev: string;
  mac: string;
  /** An event's JSON detail (null for a batch). */
  detail: string | null;
}

/** A group of records for usage metering: counts per app, dialect, kind, source and quarter-hour. */
export interface AuditTally {
  appid: string | null;
  dialect: string;
  kind: string | null;
  source: string | null;
  /** Start of the quarter-hour (ms): a day in any time zone is a whole number of them. */
  slot: number;
  billed: number;
  /** Answers with a verdict that were not charged. */
  unbilled: number;
  refused: number;
}

export const TALLY_SLOT_MS = 15 * 60_000;

/** The audit as a whole: search, the chain's links, purge and erasure. Absent on the memory store. */
export interface AuditTrail {
  /** Sets the chain's MAC key (derived from the store's keys, so only after they are established). */
  useKey(key: Buffer): void;
  /** This process's chain head (chain:n:mac), once it has written an entry. */
  head(): string | undefined;
  /** Records matching `filter`, oldest first (newest first with `newestFirst`), at most `limit`; streamed. */
  search(filter: AuditFilter, options?: { limit?: number; newestFirst?: boolean }): AsyncIterable<StoredAudit>;
  /** The record of one check (either rendering of its id), within an app when given. */
  findByCheckId(checkId: string, appid?: string): Promise<StoredAudit | undefined>;
  /** Counts for usage metering, grouped (the same rows the quota was settled by). */
  tally(filter: Pick<AuditFilter, 'appid' | 'since' | 'until'>): Promise<AuditTally[]>;
  /** Every chain entry, by chain and number. */
  entries(): Promise<ChainEntry[]>;
  /** Up to `limit` records after `afterSeq`, by seq (only those from `since` on, when given). */
  rows(afterSeq: number, limit: number, since?: number): Promise<StoredAudit[]>;
  /** Rows with a seq at most this were written before chains existed (unverifiable, and not a break). */
  legacyUpto(): Promise<number>;
  /**
   * Removes every batch older than `before` (its newest record) and the chain entries up to it, and
   * appends a purge event naming what went and where each chain now resumes (`resume`), in one commit.
   */
  purge(before: number, by: object): Promise<{ records: number; batches: number }>;
  /** Blanks the masks and hashes of every record of the subject, appending an erase event, in one commit. */
  erase(subject: AuditSubject, by: object): Promise<{ records: number }>;
  /** Appends an event (an operator's command) to the store's events chain. */
  appendEvent(kind: ChainEventKind, detail: object): Promise<void>;
}

/** How an audit sink is keeping up (readyz shows it). */
export interface AuditHealth {
  /** Records taken in and not yet stored. */
  buffered: number;
  /** Most records held; past it a record is dropped and counted. */
  limit: number;
  /** The last write failed; it is retried every second. */
  failing: boolean;
  /** Records the store refused as sent, stored with their masked values replaced (`<unstorable, N chars>`). */
  salvaged: number;
  /** Records dropped because `limit` records were waiting for the store. */
  dropped: number;
}

export interface AuditSink {
  /** Never blocks the request: records are buffered and written in batches. */
  write(record: AuditRecord): void;
  /**
   * False while a record might not be kept: the store is failing, or the buffer is nearly full. No check
   * may then be answered with a verdict (the verifier answers unavailable, unbilled).
   */
  accepting(): boolean;
  health(): AuditHealth;
  /**
   * Calls `done` once every record written so far is stored: at once when none waits, or while the store
   * is failing (nobody is kept waiting for a store that is down; `accepting()` is false meanwhile).
   */
  whenStored(done: () => void): void;
  /** Resolves when everything written so far is durable. */
  flush(): Promise<void>;
  /** flush(), retried for up to `ms` while the store fails; then rejects saying how many records were not written. */
  flushWithin(ms: number): Promise<void>;
  /** Newest first. `checkId` in either rendering (32 hex, or a UUID's 8-4-4-4-12 groups). */
  query(filter: { appid?: string; checkId?: string; limit?: number }): Promise<AuditRecord[]>;
  /**
   * Calls `listener` after each commit with the billed answers it made durable, per app: their units left
   * this node's leases in that commit (the counters follow what the store holds for them).
   */
  onBilled(listener: (appid: string, units: number) => void): void;
  /** Calls `listener` after each commit with its records and how long the write took (ms); absent where nothing is batched. */
  onCommit?(listener: (records: number, ms: number) => void): void;
}

/** What admitting one check cost: nothing refused it, or the first counter that did. */
export type SpendResult = 'ok' | 'rate_limited' | 'quota_exhausted';

/**
 * rate.take(window) and then, only when admitted and `reserve`, apps.reserveQuota(appid), as one
 * atomic step: a backend that can do both in one write offers it; otherwise the two are composed.
 */
export interface CheckSpender {
  spend(appid: string, window: { key: string; limit: number }, nowMs: number, reserve: boolean): Promise<SpendResult>;
}

/** How an upstream source is called (plain data: the sources layer gives it meaning). */
export interface SourceSettings {
  /** Time limit of one call, ms (the HTTP request is aborted past it). */
  timeoutMs: number;
  /** Connections (so calls in flight) at most; more wait in the queue. */
  concurrency: number;
  /** What one billed answer costs, in fen (0.01 CNY). */
  costFen: number;
  /** Over this much billed today (Asia/Shanghai) the source is skipped; null = no budget. */
  dailyBudgetFen: number | null;
  /** Consecutive failures that open its circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker waits before one probe call (half-open), ms. */
  breakerProbeMs: number;
  /** Ask the next source after a request that was sent and got no answer (it may have been billed). */
  retryOnTimeout: boolean;
  /** Plain http allowed to an endpoint that is not loopback. */
  insecure: boolean;
}

/** An upstream vendor the house may ask. Its credentials are sealed (AES-256-GCM) before they reach a store. */
export interface SourceRecord {
  name: string;
  /** The adapter: tencent-image, submail, aliyun … */
  type: string;
  endpoint: string;
  /** Check kinds it is asked for; null = every kind its adapter answers. */
  kinds: string[] | null;
  settings: SourceSettings;
  credentialsSealed: string;
  /** The kill switch: a disabled source is never asked. */
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SourcePatch = Partial<Pick<SourceRecord, 'endpoint' | 'kinds' | 'settings' | 'credentialsSealed' | 'disabled'>> & { updatedAt: number };

/** One stop of a kind's route: a source by name and whether its no-record passes the check on. */
export interface RouteHop {
  source: string;
  notFound: 'answer' | 'next';
}

/** What one node adds to a source's figures of a day (Asia/Shanghai, YYYY-MM-DD) since it last said. */
export interface UsageDelta {
  source: string;
  day: string;
  calls: number;
  errors: number;
  /** Calls the vendor billed. */
  billed: number;
  /** Calls that left and got no answer (a time limit, a reset): the vendor may have billed them; in costFen at their cost. */
  maybeBilled: number;
  costFen: number;
  /** Calls by latency bucket (index → count); the buckets are the caller's. */
  latency: Record<number, number>;
  /** The node's breaker for the source is open until at least then (ms since the epoch); 0 = not open. */
  openUntil: number;
}

export interface UsageRow {
  source: string;
  day: string;
  calls: number;
  errors: number;
  billed: number;
  maybeBilled: number;
  costFen: number;
  latency: Record<number, number>;
  /** The latest any node said its breaker stays open. */
  openUntil: number;
}

/** Upstream sources, the routes per check kind, and what each source did per day (summed over nodes). */
export interface SourceStore {
  /** Throws when the name is taken. */
  create(record: SourceRecord): Promise<void>;
  get(name: string): Promise<SourceRecord | undefined>;
  /** In creation order. */
  list(): Promise<SourceRecord[]>;
  update(name: string, patch: SourcePatch): Promise<SourceRecord | undefined>;
  remove(name: string): Promise<boolean>;
  /** Sets a kind's route, or clears it (null). */
  setRoute(kind: string, hops: RouteHop[] | null): Promise<void>;
  routes(): Promise<Record<string, RouteHop[]>>;
  /** Adds to the day's counters (created when missing); exact under concurrency and across processes. */
  addUsage(deltas: UsageDelta[]): Promise<void>;
  /** Every source's rows for the days from..to (inclusive, YYYY-MM-DD). */
  usage(fromDay: string, toDay: string): Promise<UsageRow[]>;
  /**
   * Says that the result cache of a scope (an appid, or '*' for all) was purged at `at`: nodes that keep
   * their cache in memory read this and forget the same entries.
   */
  notePurge(scope: string, at: number): Promise<void>;
  /** The latest purge of each scope. */
  purges(): Promise<Record<string, number>>;
}

/** A remembered answer: no factor in it, only what the sources said. */
export interface CachedAnswer {
  verdict: 'match' | 'mismatch' | 'not_found';
  mismatched?: string[];
  /** The source (and the upstream sources before it) that gave it. */
  source: string;
}

/**
 * Answers remembered under keyed hashes. Keys and the person index are opaque to the store (hex of
 * HMACs); `scope` is the app the entry was bought for ('*' when shared). Single flight: one caller at a
 * time holds a key's claim while it asks the sources, across processes where the backend is shared.
 */
export interface ResultCacheStore {
  get(scope: string, key: string): Promise<CachedAnswer | undefined>;
  /**
   * Stores the answer, indexed under `person`; `link`, when given, is another index (the person's card's)
   * that forgetting `person` forgets too: an answer about a name + card knows no ID number.
   */
  set(scope: string, key: string, answer: CachedAnswer, ttlMs: number, person: string, link?: string): Promise<void>;
  /** True when this caller now holds the key's claim (for ttlMs at most); false while another holds it. */
  claim(scope: string, key: string, ttlMs: number): Promise<boolean>;
  release(scope: string, key: string): Promise<void>;
  /** Removes every entry of one scope (or all); returns how many. */
  purge(scope?: string): Promise<number>;
  /** Removes every entry indexed under the person's keyed hash; returns how many. */
  /** Forgets the entries indexed under `person`, and those under the indexes it links to. */
  forgetPerson(person: string): Promise<number>;
  /** Whether the backend is shared between processes (single flight is then across them). */
  readonly shared: boolean;
}

/** What a node holds of an app's quota, and what it needs to know to hold it well. */
export interface QuotaLease {
  /** The node's unspent units as the store records them (0 for an unlimited app, which needs no lease). */
  held: number;
  /** Units this call moved to the node (0 for a read). */
  granted: number;
  /** This call found the node's own lease lapsed and gave its units back: the node's old units are void. */
  lapsed: boolean;
  /** The app's unleased balance; null: unlimited. */
  balance: number | null;
  /** Units held by the other live nodes, and how many they are. */
  heldElsewhere: number;
  otherNodes: number;
  /** Bumped by every quota change: units of an older epoch are void. */
  epoch: number;
  /** When a node last found the balance spent while others held units (ms; 0: never): holders give back. */
  reclaimAt: number;
}

export interface QuotaLeaseRequest {
  appid: string;
  node: string;
  /** Units the node asks for; the store grants at most min(take, balance, ⌈balance / (2 · live nodes)⌉), at least 1 when any is left. */
  take: number;
  /** Units the node gives back (it keeps the rest of what it holds). */
  give: number;
  /** The epoch the node's units belong to: a node with a stale epoch holds nothing. */
  epoch: number;
  /** Asking while the balance is spent and others hold units: flags them to give back. */
  starving?: boolean;
  ttlMs: number;
  nowMs: number;
}

/** A node's share of an app's QPS limit: the most it may admit in any 1000 ms. */
export interface RateShare {
  share: number;
  /** Other live nodes holding or wanting a share. */
  otherNodes: number;
}

export interface RateShareRequest {
  appid: string;
  node: string;
  limit: number;
  /** What the node would admit in a second at its current demand (the limit when it is alone). */
  want: number;
  ttlMs: number;
  nowMs: number;
}

/**
 * Quota and QPS by lease: a node takes a part of an app's counters in one store write and spends it in
 * memory. Every write moves units, never loses them: a crashed node's units come back once its lease
 * expires, and billed units leave its lease in the audit commit of their answers (AuditSink).
 */
export interface LeaseStore {
  /**
   * One transaction: lapsed leases of the app back to its balance (the caller's own too: a node whose lease
   * lapsed holds nothing), then this node's give and take, and its lease renewed. Undefined: no such app.
   */
  quota(req: QuotaLeaseRequest): Promise<QuotaLease | undefined>;
  /** The same figures, read only (a node's poll). */
  quotaState(appid: string, node: string, nowMs: number): Promise<QuotaLease | undefined>;
  /** One transaction: this node's share renewed, shrunk or grown within what the other shares and recent releases leave. */
  rate(req: RateShareRequest): Promise<RateShare>;
  /** Gives back every lease and share of this node (a clean shutdown). */
  release(node: string, nowMs: number): Promise<void>;
}

/** Who may use the web console, and what they may do there. */
export type OperatorRole = 'viewer' | 'admin';

/** A console operator: the password only as its scrypt hash (src/console/operators.ts). */
export interface OperatorRecord {
  name: string;
  role: OperatorRole;
  /** `scrypt$N$r$p$salt$hash` (base64url): never the password. */
  passwordHash: string;
  createdAt: number;
}

/** One thing an operator did in the console: what, to which target, from where. Never a factor or a secret. */
export interface OperatorAction {
  at: number;
  operator: string;
  action: string;
  /** The app, source or file the action was about ('' when none). */
  target: string;
  /** Whether it was done; a refusal (no permission, a bad value) is recorded too. */
  ok: boolean;
  /** The filters or values given, masked where they could name a person. */
  detail: Record<string, unknown>;
  ip: string;
}

/** Console operators and the log of their actions. */
export interface OperatorStore {
  /** False when the name is taken. */
  add(operator: OperatorRecord): Promise<boolean>;
  get(name: string): Promise<OperatorRecord | undefined>;
  list(): Promise<OperatorRecord[]>;
  remove(name: string): Promise<boolean>;
  setPassword(name: string, passwordHash: string): Promise<boolean>;
  record(action: OperatorAction): Promise<void>;
  /** Newest first; `action` matches exactly. */
  actions(filter: { operator?: string; action?: string; limit: number }): Promise<OperatorAction[]>;
}

export interface Store {
  readonly kind: string;
  /** This process's id among the nodes sharing the store (its leases are its own). */
  readonly node: string;
  apps: AppStore;
  leases: LeaseStore;
  registry: RegistryStore;
  rate: RateLimiter;
  /** Optional: the rate and quota of one check in one write (SQLite: one group-committed step). */
  spender?: CheckSpender;
  nonces: NonceStore;
  daily: DailyCounter;
  audit: AuditSink;
  /** The stored audit as a whole (SQL backends). */
  auditTrail?: AuditTrail;
  /** The master keys the store belongs to. */
  keys: KeyStore;
  sources: SourceStore;
  operators: OperatorStore;
  /** The REST dialect's API keys and idempotent answers. */
  apiKeys: ApiKeyStore;
  idempotency: IdempotencyStore;
  /** Batches of checks (absent: the backend does not run them yet). */
  batches?: BatchStore;
  /** A shared answer cache (Redis with PostgreSQL); absent: each process keeps its own in memory. */
  resultCache?: ResultCacheStore;
  /** Throws when the storage cannot be reached (readyz). */
  ping(): Promise<void>;
  /** Flushes the audit sink and closes connections. */
  close(): Promise<void>;
}

/** A REST API key as the store holds it: a keyed hash of the key, never the key (src/access/api-keys.ts). */
export interface ApiKeyRecord {
  keyId: string;
  appid: string;
  /** Hex HMAC of the whole key under its own derived key. */
  hash: string;
  revoked: boolean;
  createdAt: number;
}

export interface ApiKeyStore {
  add(record: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Oldest first. */
  list(appid: string): Promise<ApiKeyRecord[]>;
  /** False when the app has no such key. */
  revoke(appid: string, keyId: string): Promise<boolean>;
}

/** What a claim on an idempotency key found: the caller's now, or the first request's (its answer, once settled). */
export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; sealed: string | null };

/**
 * First answers of idempotent requests, by scope (an app) and key (both opaque: keyed hashes made by the
 * caller), sealed by the caller. A claim is exact across processes: one caller answers, the rest wait for it.
 */
export interface IdempotencyStore {
  /** Claims the key for `ttlMs` (the time to answer) unless a live claim or answer holds it; an expired one is taken over. */
  claim(scope: string, key: string, requestHash: string, ttlMs: number, nowMs: number): Promise<IdempotencyClaim>;
  /** Records the claimed key's first answer, kept until `expiresAt`. */
  settle(scope: string, key: string, sealed: string, expiresAt: number): Promise<void>;
  /** Gives up a claim with no answer (a later retry answers afresh). */
  abandon(scope: string, key: string): Promise<void>;
  /** Deletes expired entries; returns how many. */
  purge(nowMs: number): Promise<number>;
}

export type BatchState = 'uploading' | 'running' | 'quota_exhausted' | 'done' | 'cancelled';

/** A batch of checks as the store holds it: figures and sealed material only, never a plaintext row. */
export interface BatchRecord {
  batchId: string;
  appid: string;
  /** The kind every row runs, or null when each row names its own. */
  kind: string | null;
  state: BatchState;
  /** The batch's own key, sealed under the key ring: its rows and results are sealed with it. */
  keySealed: string;
  rowsTotal: number;
  rowsDone: number;
  /** Rows done, by verdict (and `error` for a row that is not a check). */
  counts: Record<string, number>;
  createdAt: number;
  updatedAt: number;
  /** When the batch ended (done or cancelled). */
  finishedAt: number | null;
  /** When the batch and its results are deleted. */
  expiresAt: number;
}

/** One chunk of a batch's rows: its input sealed until it is done, then its results sealed. */
export interface BatchChunk {
  batchId: string;
  seq: number;
  /** The first row's line number (1-based, of the upload). */
  firstLine: number;
  rows: number;
  /** Null once the chunk is done (the input is deleted as its results are stored). */
  inputSealed: string | null;
  resultsSealed: string | null;
  /** A runner began it: on a resume its rows are looked up in the audit before they are checked. */
  started: boolean;
}

export interface BatchStore {
  create(record: BatchRecord): Promise<void>;
  /** Appends a chunk of input while the upload streams in; the batch's total grows with it. */
  addChunk(chunk: BatchChunk): Promise<void>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  /** Batches a runner should work on (running or quota_exhausted). */
  active(): Promise<BatchRecord[]>;
  /** The next chunk not yet done, in order. */
  nextChunk(batchId: string): Promise<BatchChunk | undefined>;
  /** One chunk (a job queue hands out chunks by number). */
  chunk(batchId: string, seq: number): Promise<BatchChunk | undefined>;
  markStarted(batchId: string, seq: number): Promise<void>;
  /** In one transaction: the chunk's results stored, its input deleted, the batch's figures added to. */
  finishChunk(batchId: string, seq: number, resultsSealed: string, counts: Record<string, number>, now: number): Promise<void>;
  /** Done chunks from `seq` on, in order, at most `limit`. */
  results(batchId: string, fromSeq: number, limit: number): Promise<BatchChunk[]>;
  setState(batchId: string, state: BatchState, now: number): Promise<void>;
  /** Deletes every chunk's input (a batch that ended). */
  dropInput(batchId: string): Promise<void>;
  /** Takes or renews the right to run a batch for `ttlMs`; false while another node holds it. */
  lease(batchId: string, node: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives up `node`'s lease (a node stopping cleanly): the next node takes the batch at once, not when the lease lapses. */
  unlease(batchId: string, node: string): Promise<void>;
  /** Deletes batches whose retention passed; returns how many. */
  purge(now: number): Promise<number>;
}
