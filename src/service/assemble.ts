import { randomFillSync } from 'node:crypto';
import { clientAddress, createAccessRules, createReplayGuard } from '../access/index.ts';
import { Tenants } from '../access/tenants.ts';
import { createAuditor } from '../audit/auditor.ts';
import { StoreKeys } from '../keys/ring.ts';
import { registryHasher } from '../registry/hash.ts';
import { deriveKey } from '../keys/derive.ts';
import { keyedRegistry } from '../registry/keyed.ts';
import { createRouter, registrySource, type RouteEntry, type Source } from '../sources/index.ts';
import type { Store } from '../store/types.ts';
import type { Clock, Services } from './types.ts';
import { createDailyLimits } from './daily.ts';
import { createSpend } from './spend.ts';
import { createVerifier } from './verifier.ts';

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

function requireKey(masterKey: Buffer | undefined): Buffer {
  if (!masterKey) throw new Error('assembleServices needs keys or a masterKey');
  return masterKey;
}

/** Wires the parts into the Services every dialect is given. The one place where the house is assembled. */
export function assembleServices(options: AssembleOptions): Services & { tenants: Tenants } {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  const keys = options.keys ?? StoreKeys.single(requireKey(options.masterKey));
  const tenants = new Tenants(store.apps, keys.sealer, clock);
  const hasher = registryHasher(keys);
  const registry = keyedRegistry(store.registry, keys, hasher.keyId);
  const router = createRouter([registrySource(registry, hasher), ...(options.extraSources ?? [])], {
    timeoutMs: options.sourceTimeoutMs ?? 3000,
  });
  return {
    clock,
    newCheckId: options.newCheckId ?? newCheckId,
    tenants,
    access: createAccessRules(),
    replay: createReplayGuard(store.nonces),
    clientIp: clientAddress(options.trustProxy ?? []),
    // Daily counts are keyed from the registry's pepper: the same across a key rotation, so a day's counts hold.
    verifier: createVerifier(store.apps, router, clock, createSpend(store), createDailyLimits(store.daily, deriveKey(keys.pepper, 'daily-limit')), () => store.audit.accepting()),
    auditor: createAuditor(store.audit, clock),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
  };
}
