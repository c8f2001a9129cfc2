import type Database from 'better-sqlite3';
import type { AuditRecord, AuditSink } from '../types.ts';

/** A flush starts at once when this many records wait; otherwise on the next turn of the event loop. */
const BATCH = 512;
const RETRY_MS = 1000;
const DEFAULT_LIMIT = 100;

interface Row {
  check_id: string;
  at: number;
  appid: string | null;
  dialect: string;
  kind: AuditRecord['kind'];
  verdict: AuditRecord['verdict'];
  code: string;
  masked: string;
  source: string | null;
  billed: number;
  latency_ms: number;
}

const toRecord = (r: Row): AuditRecord => ({
  checkId: r.check_id,
  at: r.at,
  appid: r.appid,
  dialect: r.dialect,
  kind: r.kind,
  verdict: r.verdict,
  code: r.code,
  masked: JSON.parse(r.masked),
  source: r.source,
  billed: r.billed === 1,
  latencyMs: r.latency_ms,
});

export interface SqliteAuditSink extends AuditSink {
  /** Writes what is buffered and stops accepting records. */
  close(): void;
}

export function sqliteAudit(db: Database.Database): SqliteAuditSink {
  const insert = db.prepare(
    `INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms)
     VALUES (@checkId, @at, @appid, @dialect, @kind, @verdict, @code, @masked, @source, @billed, @latencyMs)`,
  );
  const newest = db.prepare(`SELECT * FROM audit ORDER BY at DESC, seq DESC LIMIT ?`);
  const newestOfApp = db.prepare(`SELECT * FROM audit WHERE appid = ? ORDER BY at DESC, seq DESC LIMIT ?`);
  const writeBatch = db.transaction((records: AuditRecord[]) => {
    for (const r of records) {
      insert.run({ ...r, masked: JSON.stringify(r.masked), billed: r.billed ? 1 : 0 });
    }
  });

  let buffer: AuditRecord[] = [];
  let scheduled = false;
  let closed = false;

  const flushNow = () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    try {
      writeBatch(batch);
    } catch (err) {
      // Nothing is lost: the batch goes back in front of anything written meanwhile.
      buffer = batch.concat(buffer);
      throw err;
    }
  };
  const flushLater = () => {
    scheduled = false;
    try {
      flushNow();
    } catch (err) {
      console.error(`audit: writing ${buffer.length} records failed, retrying: ${(err as Error).message}`);
      scheduled = true;
      setTimeout(flushLater, RETRY_MS).unref();
    }
  };

  return {
    write(record) {
      if (closed) throw new Error('audit sink is closed');
      buffer.push(record);
      if (buffer.length >= BATCH) flushLater();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flushLater);
      }
    },
    async flush() {
      flushNow();
    },
    async query({ appid, limit = DEFAULT_LIMIT }) {
      // Read-your-writes: a caller sees records it wrote a moment ago.
      flushNow();
      const rows = (appid === undefined ? newest.all(limit) : newestOfApp.all(appid, limit)) as Row[];
      return rows.map(toRecord);
    },
    close() {
      flushNow();
      closed = true;
    },
  };
}
