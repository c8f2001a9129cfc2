import type Database from 'better-sqlite3';
import { type AuditBufferOptions, type BufferedAuditSink, createBufferedAudit, salvageRecord } from '../audit-buffer.ts';
import { type AuditRow, auditFromRow } from '../rows.ts';
import type { AuditRecord, AuditSink, AuditTrail, ChainEntry } from '../types.ts';
import { AuditChain } from '../audit-chain.ts';
import { maskedOf, sqliteTrail } from './audit-trail.ts';
import { billedListeners, billedPerApp } from '../leases.ts';
import type { Logger } from '../../log.ts';

/** SQLite keeps `masked` as JSON text and `billed` as 0/1. */
type Row = Omit<AuditRow, 'masked' | 'billed'> & { masked: string; billed: number };

/** Synchronous to the end: the store's close() has written every record when it returns. */
export type SqliteAuditSink = BufferedAuditSink<void> & Pick<AuditSink, 'onBilled'>;

/** Rows per multi-row INSERT: fewer statement runs a batch; larger statements measured no faster. */
const ROWS_PER_INSERT = 8;
const COLUMNS = 20;

const insertSql = (rows: number) =>
  `INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal,
     route, client_ip, name_hash, id_hash, card_hash, phone_hash, chain, batch) VALUES ${Array(rows)
    .fill(`(${Array(COLUMNS).fill('?').join(', ')})`)
    .join(', ')}`;

/** Positional parameters (binding by name costs a lookup per column per record), `at` onwards in `into`. */
function bind(into: unknown[], at: number, r: AuditRecord, entry: ChainEntry | undefined): void {
  into[at] = r.checkId;
  into[at + 1] = r.at;
  into[at + 2] = r.appid;
  into[at + 3] = r.dialect;
  into[at + 4] = r.kind;
  into[at + 5] = r.verdict;
  into[at + 6] = r.code;
  into[at + 7] = JSON.stringify(r.masked);
  into[at + 8] = r.source;
  into[at + 9] = r.billed ? 1 : 0;
  into[at + 10] = r.latencyMs;
  into[at + 11] = r.refusal;
  into[at + 12] = r.route ?? null;
  into[at + 13] = r.clientIp ?? null;
  const h = r.hashes;
  into[at + 14] = h?.name ?? null;
  into[at + 15] = h?.idNumber ?? null;
  into[at + 16] = h?.bankCard ?? null;
  into[at + 17] = h?.phone ?? null;
  into[at + 18] = entry?.chain ?? null;
  into[at + 19] = entry?.n ?? null;
}

/** A constraint, a value too big or of the wrong type: the rows, not the file or its lock. */
const refusedRows = (error: unknown): boolean => /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH)/.test(String((error as { code?: unknown }).code ?? ''));

export function sqliteAudit(db: Database.Database, node: string, logger?: Logger, options: AuditBufferOptions = {}): { sink: SqliteAuditSink; trail: AuditTrail } {
  const insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
  const insertOne = db.prepare(insertSql(1));
  const many: unknown[] = new Array(ROWS_PER_INSERT * COLUMNS);
  const one: unknown[] = new Array(COLUMNS);
  const newest = db.prepare(`SELECT * FROM audit ORDER BY at DESC, seq DESC LIMIT ?`);
  const newestOfApp = db.prepare(`SELECT * FROM audit WHERE appid = ? ORDER BY at DESC, seq DESC LIMIT ?`);
  // A lookup by check id is an operator's, now and then: no index is kept for it (every check would write one).
  const ofCheck = db.prepare(`SELECT * FROM audit WHERE check_id = ? AND (? IS NULL OR appid = ?) ORDER BY at DESC, seq DESC LIMIT ?`);
  const spendLease = db.prepare('UPDATE quota_leases SET units = max(units - ?, 0) WHERE appid = ? AND node = ?');
  const billed = billedListeners();
  const chain = new AuditChain(node);
  const insertEntry = db.prepare(
    'INSERT INTO audit_chain (chain, n, kind, at, first_at, records, prev, mac, detail) VALUES (@chain, @n, @kind, @at, @firstAt, @records, @prev, @mac, @detail)',
  );
  const writeBatch = db.transaction((records: AuditRecord[], perApp: Map<string, number>, entry: ChainEntry | undefined) => {
    for (const [appid, units] of perApp) spendLease.run(units, appid, node);
    let i = 0;
    for (; i + ROWS_PER_INSERT <= records.length; i += ROWS_PER_INSERT) {
      for (let k = 0; k < ROWS_PER_INSERT; k++) bind(many, k * COLUMNS, records[i + k]!, entry);
      insertMany.run(many);
    }
    for (; i < records.length; i++) {
      bind(one, 0, records[i]!, entry);
      insertOne.run(one);
    }
    if (entry) insertEntry.run(entry);
  });

  const sink = createBufferedAudit({
    writeBatch: (batch: AuditRecord[]): void => {
      const perApp = billedPerApp(batch);
      const entry = chain.sealBatch(batch, Date.now());
      writeBatch(batch, perApp, entry);
      if (entry) chain.committed(entry);
      billed.committed(perApp);
    },
    refused: refusedRows,
    salvage: salvageRecord,
    read(appid, limit, checkId) {
      const app = appid ?? null;
      const rows = (checkId !== undefined ? ofCheck.all(checkId, app, app, limit) : appid === undefined ? newest.all(limit) : newestOfApp.all(appid, limit)) as Row[];
      return rows.map((r) => auditFromRow({ ...r, masked: maskedOf(r.masked), billed: r.billed === 1 }));
    },
  }, logger, options);
  return { sink: { ...sink, onBilled: billed.add }, trail: sqliteTrail(db, chain, () => sink.flush()) };
}
