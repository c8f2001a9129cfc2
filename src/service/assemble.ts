import { randomFillSync } from 'node:crypto';
import { clientAddress, createAccessRules, createReplayGuard } from '../access/index.ts';
import { Tenants } from '../access/tenants.ts';
import { createAuditor } from '../audit/auditor.ts';
import { deriveKey } from '../keys/derive.ts';
import { createRegistryHasher } from '../registry/hash.ts';
import { createRouter, registrySource, type RouteEntry, type Source } from '../sources/index.ts';
import type { Store } from '../store/types.ts';
import type { Clock, Services } from './types.ts';
import { leasedCounters, type Counters, type LeaseOptions } from '../access/counters/index.ts';
import { createDailyLimits } from './daily.ts';
import { storeCounters } from './spend.ts';
import { createVerifier } from './verifier.ts';

export interface AssembleOptions {
  store: Store;
  masterKey: Buffer;
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
  /** Sources after the registry, in failover order (upstream vendors, later). */
  extraSources?: Array<Source | RouteEntry>;
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

/** Wires the parts into the Services every dialect is given. The one place where the house is assembled. */
export function assembleServices(options: AssembleOptions): Services & { tenants: Tenants; counters: Counters } {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  const tenants = new Tenants(store.apps, deriveKey(options.masterKey, 'secret-seal'), clock);
  const hasher = createRegistryHasher(options.masterKey);
  const router = createRouter([registrySource(store.registry, hasher), ...(options.extraSources ?? [])], {
    timeoutMs: options.sourceTimeoutMs ?? 3000,
  });
  const counters = options.counters === 'store' ? storeCounters(store) : leasedCounters(store, clock, options.leases);
  return {
    clock,
    counters,
    newCheckId: options.newCheckId ?? newCheckId,
    tenants,
    access: createAccessRules(),
    replay: createReplayGuard(store.nonces),
    clientIp: clientAddress(options.trustProxy ?? []),
    verifier: createVerifier(store.apps, router, clock, counters, createDailyLimits(store.daily, deriveKey(options.masterKey, 'daily-limit'))),
    auditor: createAuditor(store.audit, clock),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
  };
}
