import type { CheckKind } from '../core/factors.ts';
import type { App, AppPatch, AuditRecord, RegistryRow, Secret } from './types.ts';

/*
 * Row ↔ domain mapping shared by the SQL backends. The rows are typed as PostgreSQL returns them
 * (booleans, arrays, JSON decoded); SQLite decodes its integers and JSON text to this shape first.
 */

export interface AuditRow {
  check_id: string;
  at: number;
  appid: string | null;
  dialect: string;
  kind: AuditRecord['kind'];
  verdict: AuditRecord['verdict'];
  refusal: string | null;
  code: string;
  masked: AuditRecord['masked'];
  source: string | null;
  billed: boolean;
  latency_ms: number;
}

export const auditFromRow = (r: AuditRow): AuditRecord => ({
  checkId: r.check_id,
  at: r.at,
  appid: r.appid,
  dialect: r.dialect,
  kind: r.kind,
  verdict: r.verdict,
  refusal: r.refusal,
  code: r.code,
  masked: r.masked,
  source: r.source,
  billed: r.billed,
  latencyMs: r.latency_ms,
});

export interface AppRow {
  appid: string;
  name: string;
  bucket: string;
  buckets: string[];
  qps: number | null;
  quota: number | null;
  checks: string[] | null;
  ip_allow: string[] | null;
  daily_per_id: number | null;
  daily_per_name: number | null;
  suspended: boolean;
  replay_guard: boolean;
  appkey_sealed: string;
  created_at: number;
}

export const appFromRow = (r: AppRow): App => ({
  appid: r.appid,
  name: r.name,
  bucket: r.bucket,
  buckets: r.buckets,
  qps: r.qps,
  quota: r.quota,
  checks: r.checks as CheckKind[] | null,
  ipAllow: r.ip_allow,
  dailyPerId: r.daily_per_id,
  dailyPerName: r.daily_per_name,
  suspended: r.suspended,
  replayGuard: r.replay_guard,
  appkeySealed: r.appkey_sealed,
  createdAt: r.created_at,
});

export interface SecretRow {
  secret_id: string;
  appid: string;
  secret_key_sealed: string;
  revoked: boolean;
  created_at: number;
}

export const secretFromRow = (r: SecretRow): Secret => ({
  secretId: r.secret_id,
  appid: r.appid,
  secretKeySealed: r.secret_key_sealed,
  revoked: r.revoked,
  createdAt: r.created_at,
});

/** The column of each patchable app field. */
export const APP_PATCH_COLUMNS: { readonly [K in keyof Required<AppPatch>]: string } = {
  name: 'name',
  buckets: 'buckets',
  qps: 'qps',
  quota: 'quota',
  checks: 'checks',
  ipAllow: 'ip_allow',
  dailyPerId: 'daily_per_id',
  dailyPerName: 'daily_per_name',
  suspended: 'suspended',
  replayGuard: 'replay_guard',
};

/** The fields a patch sets (undefined ones are left alone); throws on a field no column stores. */
export function patchedFields(patch: AppPatch): { field: keyof AppPatch; column: string; value: unknown }[] {
  const out: { field: keyof AppPatch; column: string; value: unknown }[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = APP_PATCH_COLUMNS[field as keyof AppPatch];
    if (!column) throw new Error(`Unknown app field ${field}`);
    out.push({ field: field as keyof AppPatch, column, value });
  }
  return out;
}

/** A registry row as stored: no card is a zero-length card hash, so (id_hash, card_hash) can be the key. */
export interface RegistryDbRow {
  id_hash: Buffer;
  card_hash: Buffer;
  name_hash: Buffer;
  phone_hash: Buffer | null;
  key_id: string;
  norm_version: number;
}

export const registryFromRow = (r: RegistryDbRow): RegistryRow => ({
  idHash: r.id_hash,
  nameHash: r.name_hash,
  cardHash: cardOf(r.card_hash),
  phoneHash: r.phone_hash,
  keyId: r.key_id,
  normVersion: r.norm_version,
});

/** A zero-length card hash is no card. */
export const cardOf = (cardHash: Buffer | null): Buffer | null => (cardHash && cardHash.length > 0 ? cardHash : null);
