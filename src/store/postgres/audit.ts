import { type BufferedAuditSink, createBufferedAudit } from '../audit-buffer.ts';
import { type AuditRow, auditFromRow } from '../rows.ts';
import type { AuditRecord } from '../types.ts';
import type { Db } from './db.ts';
import type { Logger } from '../../log.ts';

export type PostgresAuditSink = BufferedAuditSink<Promise<void>>;

export function postgresAudit(db: Db, logger?: Logger): PostgresAuditSink {
  return createBufferedAudit({
    // One multi-row INSERT per batch; unnest keeps it at 12 parameters however many rows.
    async writeBatch(batch: AuditRecord[]) {
      await db.query(
        `INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal)
         SELECT * FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::jsonb[], $9::text[], $10::boolean[], $11::float8[], $12::text[])`,
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
          batch.map((r) => r.refusal),
        ],
      );
    },
    async read(appid, limit, checkId) {
      const { rows } =
        checkId !== undefined
          ? await db.query<AuditRow>('SELECT * FROM audit WHERE check_id = $1 AND ($2::text IS NULL OR appid = $2) ORDER BY at DESC, seq DESC LIMIT $3', [checkId, appid ?? null, limit])
          : appid === undefined
          ? await db.query<AuditRow>('SELECT * FROM audit ORDER BY at DESC, seq DESC LIMIT $1', [limit])
          : await db.query<AuditRow>('SELECT * FROM audit WHERE appid = $1 ORDER BY at DESC, seq DESC LIMIT $2', [appid, limit]);
      return rows.map(auditFromRow);
    },
  }, logger);
}
