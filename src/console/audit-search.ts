import type { AuditRecord, AuditSink } from '../store/types.ts';

/** The audit search's filters, as `realname audit search` takes them (#13), minus the factor lookups. */
export interface AuditFilter {
  appid?: string;
  since?: number;
  until?: number;
  verdict?: string;
  refusal?: string;
  dialect?: string;
  checkId?: string;
  limit: number;
}

/** Newest records read at most per search: the store's interface reads newest first, by app or check id. */
export const SCAN_LIMIT = 20_000;

/**
 * Records that pass the filter, newest first, from the store's newest-first read (by app or check id
 * where given; the rest is filtered here). `scanned`: records read; a search that read SCAN_LIMIT may
 * have missed older matches, which the page says.
 */
export async function searchAudit(audit: Pick<AuditSink, 'query'>, filter: AuditFilter): Promise<{ records: AuditRecord[]; scanned: number; truncated: boolean }> {
  const read = await audit.query({
    ...(filter.appid ? { appid: filter.appid } : {}),
    ...(filter.checkId ? { checkId: filter.checkId } : {}),
    limit: SCAN_LIMIT,
  });
  const records = read.filter(
    (r) =>
      (filter.since === undefined || r.at >= filter.since) &&
      (filter.until === undefined || r.at < filter.until) &&
      (filter.verdict === undefined || r.verdict === filter.verdict) &&
      (filter.refusal === undefined || r.refusal === filter.refusal) &&
      (filter.dialect === undefined || r.dialect === filter.dialect),
  );
  return { records: records.slice(0, filter.limit), scanned: read.length, truncated: read.length === SCAN_LIMIT };
}

const CSV_COLUMNS = ['checkId', 'at', 'appid', 'dialect', 'kind', 'verdict', 'refusal', 'code', 'source', 'billed', 'latencyMs', 'name', 'idNumber', 'bankCard', 'phone'] as const;

/** A CSV cell: quoted when it must be, and never a formula a spreadsheet would run. */
function cell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportLine(record: AuditRecord, format: 'csv' | 'jsonl'): string {
  const flat = { ...record, at: new Date(record.at).toISOString(), ...record.masked };
  if (format === 'jsonl') return `${JSON.stringify({ ...record, at: flat.at })}\n`;
  return `${CSV_COLUMNS.map((c) => cell((flat as Record<string, unknown>)[c])).join(',')}\n`;
}

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\n`;
