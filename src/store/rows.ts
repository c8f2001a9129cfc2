import type { AuditRecord } from './types.ts';

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
  code: r.code,
  masked: r.masked,
  source: r.source,
  billed: r.billed,
  latencyMs: r.latency_ms,
});
