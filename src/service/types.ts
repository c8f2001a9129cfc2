import type { CheckKind, Factors } from '../core/factors.ts';
import type { Outcome } from '../core/outcome.ts';
import type { Refusal } from '../access/refusal.ts';
import type { App, NonceStore } from '../store/types.ts';

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** A secret as the dialects need it: key in plaintext (unsealed in memory only). */
export interface OpenSecret {
  secretId: string;
  appid: string;
  secretKey: string;
  revoked: boolean;
}

/** Tenants as the dialects see them: apps and their credentials, secrets already unsealed. */
export interface TenantDirectory {
  app(appid: string): Promise<App | undefined>;
  secret(secretId: string): Promise<OpenSecret | undefined>;
  /** The app's SUBMAIL appkey in plaintext. */
  appkey(app: App): string;
}

/** The access rules a dialect applies, each on its own, in the dialect's documented order. */
export interface AccessRules {
  ipAllowed(app: App, clientIp: string): boolean;
  permitted(app: App, kind: CheckKind): boolean;
}

/** Over the QPS comes before invalid input, which comes before no quota left (both dialects' order). */
export type VerifyResult = { outcome: Outcome } | { refusal: Extract<Refusal, 'rate_limited' | 'quota_exhausted'> };

/**
 * The core path: validate → QPS window and quota reserve → sources → settle. Dialects only translate;
 * they call it once the app is authenticated, permitted and allowed (nobody without the app's key
 * spends its QPS).
 */
export interface Verifier {
  verify(request: { checkId: string; app: App; kind: CheckKind; factors: Factors }): Promise<VerifyResult>;
}

/** What a dialect reports once it has answered; the auditor masks the factors itself. */
export interface AuditEntry {
  checkId: string;
  appid: string | null;
  dialect: string;
  kind: CheckKind | null;
  factors: Factors;
  outcome?: Outcome;
  code: string;
  startedAt: number;
}

export interface Auditor {
  record(entry: AuditEntry): void;
}

export interface Services {
  clock: Clock;
  /** 32 lowercase hex characters; also the dialects' session_id / send_id. */
  newCheckId: () => string;
  tenants: TenantDirectory;
  access: AccessRules;
  nonces: NonceStore;
  verifier: Verifier;
  auditor: Auditor;
  /** Request body limit in bytes (default 16 KiB). */
  bodyLimit: number;
  /** CIDRs of proxies whose X-Forwarded-For is believed. */
  trustProxy: string[];
}
