import { type AuditBufferOptions, type BufferedAuditSink, createBufferedAudit, salvageRecord } from '../audit-buffer.ts';
import { type AuditRow, auditFromRow } from '../rows.ts';
import type { AuditRecord, AuditSink } from '../types.ts';
import type { Db } from './db.ts';
import type { Logger } from '../../log.ts';
import { billedListeners, billedPerApp } from '../leases.ts';

export type PostgresAuditSink = BufferedAuditSink<Promise<void>> & Pick<AuditSink, 'onBilled'>;

/** SQLSTATE classes 22 (data exception: jsonb refuses \u0000 and lone surrogates) and 23 (integrity): the rows, not the server. */
const refusedRows = (error: unknown): boolean => /^2[23]/.test(String((error as { code?: unknown }).code ?? ''));

export function postgresAudit(db: Db, node: string, logger?: Logger, options: AuditBufferOptions = {}): PostgresAuditSink {
  const listeners = billedListeners();
  const sink = createBufferedAudit({
    refused: refusedRows,
    salvage: salvageRecord,
    // One statement per batch (so one commit): a multi-row INSERT by unnest, at 15 parameters however many
    // rows, and the billed answers' units out of this node's leases.
    async writeBatch(batch: AuditRecord[]) {
      const billed = billedPerApp(batch);
      await db.query(
        `WITH spent AS (
           UPDATE quota_leases l SET units = greatest(l.units - b.n, 0)
           FROM unnest($14::text[], $15::int[]) AS b(appid, n) WHERE l.appid = b.appid AND l.node = $13
         )
         INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal)
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
          node,
          [...billed.keys()],
          [...billed.values()],
        ],
      );
      listeners.committed(billed);
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
  }, logger, options);
  return { ...sink, onBilled: listeners.add };
}
