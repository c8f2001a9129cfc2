import type { AccessRules, CheckPath, ClientAddress, ReplayGuard, TenantDirectory } from '../access/index.ts';
import type { ApiKeys } from '../access/api-keys.ts';
import type { AuditReader, Auditor } from '../audit/types.ts';
import type { Idempotency } from './idempotency.ts';
import type { Batches } from './batches/runner.ts';

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** What every dialect is given: the one place the house's parts meet (assembled in assemble.ts). */
export interface Services {
  clock: Clock;
  /** 32 lowercase hex characters; also the dialects' session_id / send_id. */
  newCheckId: () => string;
  tenants: TenantDirectory;
  access: AccessRules;
  replay: ReplayGuard;
  /** The client address the allow-lists judge (X-Forwarded-For only from trusted proxies). */
  clientIp: ClientAddress;
  /** The core's steps behind the gate: validate, counters, sources, settle. */
  verifier: CheckPath;
  auditor: Auditor;
  /** Checks read back from the audit, by app (the REST dialect). */
  audit: AuditReader;
  /** REST API keys (the REST dialect's bearer tokens). */
  apiKeys: ApiKeys;
  /** Idempotency-Key: a retried request's first answer (the REST dialect). */
  idempotency: Idempotency;
  /** Batches of checks (absent where the store does not keep them). */
  batches?: Batches;
  /** Request body limit in bytes (default 16 KiB). */
  bodyLimit: number;
}
