import { randomUUID } from 'node:crypto';
import { createAccessRules } from '../access/rules.ts';
import { Tenants } from '../access/tenants.ts';
import { createAuditor } from '../audit/auditor.ts';
import { deriveKey } from '../keys/derive.ts';
import { createRegistryHasher } from '../registry/hash.ts';
import { registrySource } from '../sources/registry.ts';
import { createRouter } from '../sources/router.ts';
import type { Source } from '../sources/types.ts';
import type { Store } from '../store/types.ts';
import type { Clock, Services } from './types.ts';
import { createSpend } from './spend.ts';
import { createVerifier } from './verifier.ts';

export interface AssembleOptions {
  store: Store;
  masterKey: Buffer;
  clock?: Clock;
  newCheckId?: () => string;
  bodyLimit?: number;
  trustProxy?: string[];
  sourceTimeoutMs?: number;
  /** Sources after the registry, in failover order (upstream vendors, later). */
  extraSources?: Source[];
}

/**
 * 32 lowercase hex characters, unguessable: a v4 UUID without its dashes (122 random bits). Node draws
 * UUIDs from a buffered pool of random bytes, far cheaper per call than randomBytes(16).
 */
export function newCheckId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Wires the parts into the Services every dialect is given. The one place where the house is assembled. */
export function assembleServices(options: AssembleOptions): Services & { tenants: Tenants } {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  const tenants = new Tenants(store.apps, deriveKey(options.masterKey, 'secret-seal'), clock);
  const hasher = createRegistryHasher(options.masterKey);
  const router = createRouter([registrySource(store.registry, hasher), ...(options.extraSources ?? [])], {
    timeoutMs: options.sourceTimeoutMs ?? 3000,
  });
  return {
    clock,
    newCheckId: options.newCheckId ?? newCheckId,
    tenants,
    access: createAccessRules(),
    nonces: store.nonces,
    verifier: createVerifier(store.apps, router, clock, createSpend(store)),
    auditor: createAuditor(store.audit, clock),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    trustProxy: options.trustProxy ?? [],
  };
}
