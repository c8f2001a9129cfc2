import { randomFillSync } from 'node:crypto';
import { clientAddress, createAccessRules, createReplayGuard } from '../access/index.ts';
import { Tenants } from '../access/tenants.ts';
import { createAuditor } from '../audit/auditor.ts';
import { createAuditReader } from '../audit/reader.ts';
import { ApiKeys } from '../access/api-keys.ts';
import { chainKey, factorHasher } from '../audit/lookup.ts';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/service.ts';
import { calendarDay, DEFAULT_TIME_ZONE } from '../core/calendar.ts';
import { deriveKey } from '../keys/derive.ts';
import { StoreKeys } from '../keys/ring.ts';
import { defaultLogger, type Logger } from '../log.ts';
import { registryHasher } from '../registry/hash.ts';
import { keyedRegistry } from '../registry/keyed.ts';
import { createResultCache, DEFAULT_CACHE, type CacheSettings, type ResultCache, type Routed } from '../sources/cache.ts';
import { createRouter, registrySource, type RouteEntry, type Source } from '../sources/index.ts';
import { createUpstreams, type Upstreams } from '../sources/upstream/configured.ts';
import { memoryResultCache } from '../store/memory-cache.ts';
import type { Store } from '../store/types.ts';
import type { Clock, Services } from './types.ts';
import { leasedCounters, type Counters, type LeaseOptions } from '../access/counters/index.ts';
import { createDailyLimits } from './daily.ts';
import { storeCounters } from './spend.ts';
import { createVerifier } from './verifier.ts';
import { createIdempotency } from './idempotency.ts';
import { createBatches, type BatchOptions } from './batches/runner.ts';
import { bullmqChunks, type ChunkQueueOptions } from './batches/queue.ts';
import { BILL_EVERY_VERDICT } from '../core/index.ts';

export interface AssembleOptions {
  store: Store;
  /** The store's keys (src/keys/ring.ts), or one master key that never rotates (tests, tools). */
  keys?: StoreKeys;
  masterKey?: Buffer;
  clock?: Clock;
  newCheckId?: () => string;
  bodyLimit?: number;
  trustProxy?: string[];
  sourceTimeoutMs?: number;
  /**
   * How quota and QPS are counted: by lease (the default: decided in memory, a few store writes a second),
   * or by the store on every check ('store': for tests of the check path that read the store's counters).
   */
  counters?: 'leased' | 'store';
  leases?: LeaseOptions;
  /**
   * A fixed route: the registry, then these, in failover order. Without it the route of each kind comes
   * from the store's configuration (`realname sources` / `routes`), read again at most every `sourcesTtlMs`.
   */
  extraSources?: Array<Source | RouteEntry>;
  sourcesTtlMs?: number;
  /** The result cache in front of upstream sources (default on, DEFAULT_CACHE); false turns it off. */
  cache?: (Partial<CacheSettings> & { maxEntries?: number }) | false;
  logger?: Logger;
  /** Batches of checks (where the store keeps them): the node's batch rate and the limits of one batch. */
  batches?: Partial<BatchOptions>;
  /** With PostgreSQL + Redis: batches' chunks handed out to every node through BullMQ on this Redis. */
  batchQueue?: Omit<ChunkQueueOptions, 'logger'>;
  /** What "a day" is for daily limits and upstream budgets (default Asia/Shanghai). */
  timeZone?: string;
}

/** What the CLI and the server get beyond the dialects' view: tenants, the upstream sources, the cache. */
export interface Assembled extends Services {
  tenants: Tenants;
  /** Quota and QPS by lease (or by the store); closed by the runtime before the store. */
  counters: Counters;
  upstreams: Upstreams | undefined;
  cache: ResultCache | undefined;
  /** The Prometheus metrics of this process (GET /metrics). */
  metrics: ServiceMetrics;
  /** Writes what the sources counted and closes their connections (the store is the caller's). */
  close(): Promise<void>;
}

/** Random bytes drawn 4 KB at a time: one system call serves 256 check ids. */
const ID_BYTES = 16;
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** 32 lowercase hex characters, unguessable (128 random bits), one string allocated per id. */
export function newCheckId(): string {
  if (poolAt + ID_BYTES > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += ID_BYTES;
  return pool.toString('hex', poolAt - ID_BYTES, poolAt);
}

function requireKey(masterKey: Buffer | undefined): Buffer {
  if (!masterKey) throw new Error('assembleServices needs keys or a masterKey');
  return masterKey;
}

/** Wires the parts into the Services every dialect is given. The one place where the house is assembled. */
export function assembleServices(options: AssembleOptions): Assembled {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  const logger = options.logger ?? defaultLogger();
  const keys = options.keys ?? StoreKeys.single(requireKey(options.masterKey));
  const tenants = new Tenants(store.apps, keys.sealer, clock);
  const hasher = registryHasher(keys);
  const registry = registrySource(keyedRegistry(store.registry, keys, hasher.keyId), hasher);
  // Keys of short-lived keyed hashes (daily counts, cached answers) come from the registry's pepper: the
  // same across a key rotation, so a day's counts and the cache hold.
  const stableKey = (purpose: 'daily-limit' | 'result-cache' | 'api-key' | 'idempotency') => deriveKey(keys.pepper, purpose);
  // The audit's MACs from the same pepper: a chain made before a key rotation still verifies after it.
  store.auditTrail?.useKey(chainKey(keys.pepper));
  const timeoutMs = options.sourceTimeoutMs ?? 3000;
  const dayOf = calendarDay(options.timeZone ?? DEFAULT_TIME_ZONE);
  let upstreams: Upstreams | undefined;
  let routed: Routed;
  if (options.extraSources) {
    routed = createRouter([registry, ...options.extraSources], { timeoutMs });
  } else {
    const configured = createUpstreams({
      store: store.sources,
      registry,
      // Vendor credentials are sealed like app secrets, under the key ring.
      openCredentials: (sealed) => JSON.parse(keys.sealer.open(sealed)) as Record<string, string>,
      clock,
      logger,
      dayOf,
      ...(options.sourcesTtlMs !== undefined ? { ttlMs: options.sourcesTtlMs } : {}),
    });
    upstreams = configured;
    const router = createRouter((kind) => configured.routeOf(kind), { timeoutMs });
    routed = {
      routeOf: router.routeOf,
      prepare: () => (configured.fresh() ? undefined : configured.reload()),
      // The configuration is read again once it is older than its TTL: the check that finds it stale waits for it.
      check: (...args: Parameters<typeof router.check>) => (configured.fresh() ? router.check(...args) : configured.reload().then(() => router.check(...args))),
    };
  }
  const cacheOptions = options.cache ?? {};
  const cache =
    cacheOptions === false
      ? undefined
      : createResultCache(
          routed,
          store.resultCache ?? memoryResultCache(cacheOptions.maxEntries !== undefined ? { maxEntries: cacheOptions.maxEntries } : {}),
          stableKey('result-cache'),
          { ...DEFAULT_CACHE, ...cacheOptions, ttlMs: { ...DEFAULT_CACHE.ttlMs, ...cacheOptions.ttlMs } },
          store.sources,
          (error) => logger.warn({ error: (error as Error).message }, 'cache: its store failed; answering without it'),
          (scope, removed) => logger.info({ scope, removed }, 'cache: purged'),
        );
  const counters = options.counters === 'store' ? storeCounters(store) : leasedCounters(store, clock, options.leases);
  const metrics = createServiceMetrics(store);
  metrics.watch({ upstreams, counters });
  store.audit.onCommit?.(metrics.committed);
  const verifier = createVerifier(store.apps, cache ?? routed, clock, counters, createDailyLimits(store.daily, stableKey('daily-limit'), dayOf), () => store.audit.accepting());
  const auditor = createAuditor(store.audit, clock, factorHasher(keys.pepper), metrics.answered);
  const tenantsAndRules = { clock, tenants, access: createAccessRules(), replay: createReplayGuard(store.nonces), verifier };
  const batches =
    store.batches &&
    createBatches(
      {
        store: store.batches,
        apps: store.apps,
        audit: store.audit,
        auditor,
        gate: tenantsAndRules,
        billing: BILL_EVERY_VERDICT,
        sealer: keys.sealer,
        clock,
        node: store.node,
        logger,
        ...(options.batchQueue ? { queue: bullmqChunks({ ...options.batchQueue, logger }) } : {}),
      },
      { rate: 0, maxRows: 10_000_000, maxBytes: 2 * 1024 ** 3, ...options.batches },
    );
  return {
    clock,
    counters,
    newCheckId: options.newCheckId ?? newCheckId,
    tenants,
    access: tenantsAndRules.access,
    replay: tenantsAndRules.replay,
    clientIp: clientAddress(options.trustProxy ?? []),
    verifier,
    auditor,
    ...(batches ? { batches } : {}),
    audit: createAuditReader(store.audit),
    apiKeys: new ApiKeys(store.apiKeys, stableKey('api-key'), clock),
    idempotency: createIdempotency(store.idempotency, keys.sealer, stableKey('idempotency'), clock),
    metrics,
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    upstreams,
    cache,
    close: async () => {
      await upstreams?.close();
    },
  };
}
