import type { Tenants } from '../access/tenants.ts';
import type { FactorHasher } from '../audit/lookup.ts';
import type { ResultCache } from '../sources/cache.ts';
import type { StoreKeys } from '../keys/ring.ts';
import type { SourceAdmin } from '../sources/upstream/admin.ts';
import type { AuditTrail, Store } from '../store/types.ts';
import type { Operator, Operators } from './operators.ts';
import type { Session } from './sessions.ts';

/** What the console's routes work with: the same modules the CLI's commands call. */
export interface ConsoleContext {
  store: Store;
  tenants: Tenants;
  sources: SourceAdmin;
  keys: StoreKeys;
  operators: Operators;
  /** The audit as a whole (search, subjects, usage): every store `serve` opens has one. */
  trail?: AuditTrail | undefined;
  /** The audit's keyed hash of a factor, to find a person's records. */
  hasher: FactorHasher;
  /** The result cache, to forget an erased subject's answers (none when the cache is off). */
  cache?: ResultCache | undefined;
  sharedCache: boolean;
  /** What "a day" is (the timeZone setting). */
  timeZone: string;
  clock: () => number;
}

/** Per route: the action's name in the operators' log, and whether only an admin may do it. */
export interface RouteRule {
  action?: string;
  admin?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    operator?: Operator;
    session?: Session;
    /** The client's address as the request began: a failed upload may close the socket before the log is written. */
    address?: string;
    /** What the operators' log records of this request (masked: never a factor, never a secret). */
    detail?: Record<string, unknown>;
  }
  interface FastifyContextConfig {
    rule?: RouteRule;
  }
}
