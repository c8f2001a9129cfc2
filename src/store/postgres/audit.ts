import type { AuditRecord, AuditSink } from '../types.ts';
import type { Db } from './db.ts';

/** Records per INSERT; a flush starts at once when this many wait, otherwise on the next turn of the event loop. */
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
  masked: AuditRecord['masked'];
  source: string | null;
  billed: boolean;
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
  masked: r.masked,
  source: r.source,
  billed: r.billed,
  latencyMs: r.latency_ms,
});

export interface PostgresAuditSink extends AuditSink {
  /** Writes what is buffered and stops accepting records. */
  close(): Promise<void>;
}

export function postgresAudit(db: Db): PostgresAuditSink {
  // One multi-row INSERT per batch; unnest keeps it at 11 parameters however many rows.
  const insert = (batch: AuditRecord[]) =>
    db.query(
      `INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms)
       SELECT * FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::jsonb[], $9::text[], $10::boolean[], $11::float8[])`,
      [
        batch.map((r) => r.checkId),
        batch.map((r) => r.at),
        batch.map((r) => r.appid),
        batch.map((r) => r.dialect),
        batch.map((r) => r.kind),
        batch.map((r) => r.verdict),
        batch.map((r) => r.code),
        batch.map((r) => JSON.stringify(r.masked)),
        batch.map((r) => r.source),
        batch.map((r) => r.billed),
        batch.map((r) => r.latencyMs),
      ],
    );

  let buffer: AuditRecord[] = [];
  let scheduled = false;
  let closed = false;
  // Batches are written one after another, so `seq` follows write order.
  let tail: Promise<void> = Promise.resolve();

  const drain = (): Promise<void> =>
    (tail = tail
      .catch(() => undefined)
      .then(async () => {
        while (buffer.length > 0) {
          const batch = buffer.splice(0, BATCH);
          try {
            await insert(batch);
          } catch (err) {
            // Nothing is lost: the batch goes back in front of anything written meanwhile.
            buffer = batch.concat(buffer);
            throw err;
          }
        }
      }));
  const drainLater = () => {
    scheduled = false;
    drain().catch((err: Error) => {
      console.error(`audit: writing ${buffer.length} records failed, retrying: ${err.message}`);
      if (scheduled) return;
      scheduled = true;
      setTimeout(drainLater, RETRY_MS).unref();
    });
  };

  return {
    write(record) {
      if (closed) throw new Error('audit sink is closed');
      buffer.push(record);
      if (buffer.length >= BATCH) drainLater();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(drainLater);
      }
    },
    flush: drain,
    async query({ appid, limit = DEFAULT_LIMIT }) {
      // Read-your-writes: a caller sees records it wrote a moment ago.
      await drain();
      const { rows } =
        appid === undefined
          ? await db.query<Row>('SELECT * FROM audit ORDER BY at DESC, seq DESC LIMIT $1', [limit])
          : await db.query<Row>('SELECT * FROM audit WHERE appid = $1 ORDER BY at DESC, seq DESC LIMIT $2', [appid, limit]);
      return rows.map(toRecord);
    },
    async close() {
      closed = true;
      await drain();
    },
  };
}
