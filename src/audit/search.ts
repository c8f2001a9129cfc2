import type { AuditFilter, AuditTrail, FactorName, StoredAudit } from '../store/types.ts';
import { ERASED } from '../store/audit-chain.ts';
import type { FactorHasher } from './lookup.ts';

/**
 * Audit search and export, for the CLI and the console alike: a filter in, records out as a person or
 * a program reads them — masked factors, never their hashes (those are for finding, not for showing).
 */

/** What a search asks: the store's filter, with a factor to look up given as its value (hashed here, never kept). */
export interface AuditQuery extends Omit<AuditFilter, 'hash'> {
  factor?: { name: FactorName; value: string };
}

/** One record as `--json` and export print it. */
export interface AuditView {
  checkId: string;
  at: string;
  appid: string | null;
  dialect: string;
  route: string | null;
  kind: string | null;
  verdict: string | null;
  refusal: string | null;
  code: string;
  source: string | null;
  billed: boolean;
  latencyMs: number;
  clientIp: string | null;
  masked: StoredAudit['masked'];
  /** The record's factors were erased on a subject's request: masks and hashes blanked. */
  anonymised: boolean;
}

export function toFilter(query: AuditQuery, hasher: FactorHasher): AuditFilter {
  const { factor, ...rest } = query;
  return factor ? { ...rest, hash: { factor: factor.name, value: hasher.hash(factor.name, factor.value) } } : rest;
}

/** A record in the form people and programs read. */
export function auditView(r: StoredAudit): AuditView {
  return {
    checkId: r.checkId,
    at: new Date(r.at).toISOString(),
    appid: r.appid,
    dialect: r.dialect,
    route: r.route ?? null,
    kind: r.kind,
    verdict: r.verdict,
    refusal: r.refusal,
    code: r.code,
    source: r.source,
    billed: r.billed,
    latencyMs: Math.round(r.latencyMs * 1000) / 1000,
    clientIp: r.clientIp ?? null,
    masked: r.masked,
    anonymised: Object.values(r.masked).includes(ERASED),
  };
}

export async function* searchAudit(trail: AuditTrail, hasher: FactorHasher, query: AuditQuery, options: { limit?: number; newestFirst?: boolean } = {}): AsyncIterable<AuditView> {
  for await (const record of trail.search(toFilter(query, hasher), options)) yield auditView(record);
}

/** One line of text: what a person scanning a terminal needs. */
export function auditLine(v: AuditView): string {
  const masked = Object.values(v.masked).filter(Boolean).join(' ');
  const answer = v.refusal !== null ? `refused ${v.refusal}` : (v.verdict ?? '-');
  return [v.at, v.checkId, v.appid ?? '-', v.dialect, v.kind ?? '-', answer, `code ${v.code}`, v.source ?? '-', v.billed ? 'billed' : 'unbilled', masked].join('  ').trimEnd();
}

export const CSV_COLUMNS = ['checkId', 'at', 'appid', 'dialect', 'route', 'kind', 'verdict', 'refusal', 'code', 'source', 'billed', 'latencyMs', 'clientIp', 'name', 'idNumber', 'bankCard', 'phone'] as const;

/**
 * RFC 4180 quoting; a cell that a spreadsheet would run as a formula is prefixed with a quote — but not
 * a plain number such as a vendor's code -5803, which a spreadsheet reads as the number it is.
 */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(v: AuditView): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = { ...v, ...v.masked, name: v.masked.name, idNumber: v.masked.idNumber, bankCard: v.masked.bankCard, phone: v.masked.phone };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

/** Streams the records as JSON lines or CSV to `write` (which may wait: a pipe's back-pressure). Returns how many. */
export async function exportAudit(
  trail: AuditTrail,
  hasher: FactorHasher,
  query: AuditQuery,
  format: 'jsonl' | 'csv',
  write: (text: string) => Promise<void> | void,
): Promise<number> {
  let n = 0;
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\n`);
  for await (const view of searchAudit(trail, hasher, query)) {
    await write(format === 'csv' ? `${csvRow(view)}\n` : `${JSON.stringify(view)}\n`);
    n++;
  }
  return n;
}
