import type Database from 'better-sqlite3';
import { type BufferedAuditSink, createBufferedAudit } from '../audit-buffer.ts';
import { type AuditRow, auditFromRow } from '../rows.ts';
import type { AuditRecord } from '../types.ts';

/** SQLite keeps `masked` as JSON text and `billed` as 0/1. */
type Row = Omit<AuditRow, 'masked' | 'billed'> & { masked: string; billed: number };

/** Synchronous to the end: the store's close() has written every record when it returns. */
export type SqliteAuditSink = BufferedAuditSink<void>;

export function sqliteAudit(db: Database.Database): SqliteAuditSink {
  const insert = db.prepare(
    `INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const newest = db.prepare(`SELECT * FROM audit ORDER BY at DESC, seq DESC LIMIT ?`);
  const newestOfApp = db.prepare(`SELECT * FROM audit WHERE appid = ? ORDER BY at DESC, seq DESC LIMIT ?`);
  const writeBatch = db.transaction((records: AuditRecord[]) => {
    for (const r of records) {
      // Positional parameters: binding by name costs a lookup per column per record.
      insert.run(r.checkId, r.at, r.appid, r.dialect, r.kind, r.verdict, r.code, JSON.stringify(r.masked), r.source, r.billed ? 1 : 0, r.latencyMs);
    }
  });

  return createBufferedAudit({
    writeBatch: (batch: AuditRecord[]): void => writeBatch(batch),
    read(appid, limit) {
      const rows = (appid === undefined ? newest.all(limit) : newestOfApp.all(appid, limit)) as Row[];
      return rows.map((r) => auditFromRow({ ...r, masked: JSON.parse(r.masked), billed: r.billed === 1 }));
    },
  });
}
