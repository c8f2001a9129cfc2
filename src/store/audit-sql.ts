import { canonicalCheckId } from '../core/check-id.ts';
import type { AuditFilter, ChainEntry, FactorName, StoredAudit } from './types.ts';

/** The column of each factor's keyed hash. */
export const HASH_COLUMN: Record<FactorName, string> = { name: 'name_hash', idNumber: 'id_hash', bankCard: 'card_hash', phone: 'phone_hash' };

/**
 * The WHERE clause of an audit search, with its parameters; `p(i)` renders the i-th placeholder
 * (SQLite's `?`, PostgreSQL's `$i`). Column names are ours; values are always parameters.
 */
export function auditWhere(filter: AuditFilter, p: (i: number) => string, first = 1): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (term: string, value: unknown) => {
    params.push(value);
    terms.push(term.replace('?', p(first + params.length - 1)));
  };
  if (filter.appid !== undefined) add('appid = ?', filter.appid);
  if (filter.since !== undefined) add('at >= ?', filter.since);
  if (filter.until !== undefined) add('at < ?', filter.until);
  if (filter.verdict !== undefined) add('verdict = ?', filter.verdict);
  if (filter.refusal !== undefined) add('refusal = ?', filter.refusal);
  if (filter.dialect !== undefined) add('dialect = ?', filter.dialect);
  if (filter.kind !== undefined) add('kind = ?', filter.kind);
  if (filter.checkId !== undefined) add('check_id = ?', canonicalCheckId(filter.checkId));
  if (filter.hash !== undefined) add(`${HASH_COLUMN[filter.hash.factor]} = ?`, filter.hash.value);
  if (filter.subject !== undefined) {
    const { idNumber, bankCards, phones } = filter.subject;
    const at = () => p(first + params.length - 1);
    const list = (values: readonly string[]) => values.map((v) => (params.push(v), at())).join(', ');
    params.push(idNumber);
    const either = [`id_hash = ${at()}`];
    const without = [];
    if (bankCards.length > 0) without.push(`card_hash IN (${list(bankCards)})`);
    if (phones.length > 0) without.push(`phone_hash IN (${list(phones)})`);
    // A record with no validated ID number is theirs by a card or phone: none at all, one that did not
    // validate (verdict invalid: a mistyped ID number may still look like one), or a refusal before
    // anything was validated. Only a check that passed validation names another person.
    if (without.length > 0) either.push(`((id_hash IS NULL OR verdict IS NULL OR verdict = 'invalid') AND (${without.join(' OR ')}))`);
    terms.push(`(${either.join(' OR ')})`);
  }
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/** A stored row as both backends return it (SQLite's JSON text and 0/1 decoded first). */
export interface StoredRow {
  seq: number;
  check_id: string;
  at: number;
  appid: string | null;
  dialect: string;
  route: string | null;
  kind: StoredAudit['kind'];
  verdict: StoredAudit['verdict'];
  refusal: string | null;
  code: string;
  masked: StoredAudit['masked'];
  name_hash: string | null;
  id_hash: string | null;
  card_hash: string | null;
  phone_hash: string | null;
  source: string | null;
  billed: boolean;
  latency_ms: number;
  client_ip: string | null;
  chain: string | null;
  batch: number | null;
}

export function storedFromRow(r: StoredRow): StoredAudit {
  const hashes: StoredAudit['hashes'] = {};
  if (r.name_hash !== null) hashes.name = r.name_hash;
  if (r.id_hash !== null) hashes.idNumber = r.id_hash;
  if (r.card_hash !== null) hashes.bankCard = r.card_hash;
  if (r.phone_hash !== null) hashes.phone = r.phone_hash;
  return {
    seq: Number(r.seq),
    checkId: r.check_id,
    at: r.at,
    appid: r.appid,
    dialect: r.dialect,
    route: r.route ?? null,
    kind: r.kind,
    verdict: r.verdict,
    refusal: r.refusal,
    code: r.code,
    masked: r.masked,
    hashes,
    source: r.source,
    billed: r.billed,
    latencyMs: r.latency_ms,
    clientIp: r.client_ip ?? null,
    chain: r.chain ?? null,
    batch: r.batch === null || r.batch === undefined ? null : Number(r.batch),
  };
}

export interface EntryRow {
  chain: string;
  n: number;
  kind: ChainEntry['kind'];
  at: number;
  first_at: number;
  records: number;
  prev: string;
  mac: string;
  detail: string | null;
}

export const entryFromRow = (r: EntryRow): ChainEntry => ({
  chain: r.chain,
  n: Number(r.n),
  kind: r.kind,
  at: Number(r.at),
  firstAt: Number(r.first_at),
  records: Number(r.records),
  prev: r.prev,
  mac: r.mac,
  detail: r.detail,
});

/** The records a search reads per round trip while streaming. */
export const PAGE = 500;
