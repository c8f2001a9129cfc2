import type { Tenants } from '../access/tenants.ts';
import type { StoreKeys } from '../keys/ring.ts';
import type { SourceAdmin } from '../sources/upstream/admin.ts';
import type { Store } from '../store/types.ts';
import type { Operator, Operators } from './operators.ts';
import type { Session } from './sessions.ts';

/** What the console's routes work with: the same modules the CLI's commands call. */
export interface ConsoleContext {
  store: Store;
  tenants: Tenants;
  sources: SourceAdmin;
  keys: StoreKeys;
  operators: Operators;
  /** The result cache, to forget an erased subject's answers (none when the cache is off). */
  cache?: { forgetPerson(idNumber: string): Promise<number> } | undefined;
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
    /** What the operators' log records of this request (masked: never a factor, never a secret). */
    detail?: Record<string, unknown>;
  }
  interface FastifyContextConfig {
    rule?: RouteRule;
  }
}
