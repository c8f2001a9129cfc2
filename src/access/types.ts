import type { CheckKind } from '../core/index.ts';
import type { App } from '../store/types.ts';

/** A secret as the dialects need it: key in plaintext (unsealed in memory only). */
export interface OpenSecret {
  secretId: string;
  appid: string;
  secretKey: string;
  revoked: boolean;
}

/** Tenants as the gate and the dialects see them: apps and their credentials, secrets already unsealed. */
export interface TenantDirectory {
  app(appid: string): Promise<App | undefined>;
  secret(secretId: string): Promise<OpenSecret | undefined>;
  /** The app's SUBMAIL appkey in plaintext. */
  appkey(app: App): string;
}

/** The per-app rules the gate applies, each at its place in the dialect's order. */
export interface AccessRules {
  ipAllowed(app: App, clientIp: string): boolean;
  permitted(app: App, kind: CheckKind): boolean;
}
