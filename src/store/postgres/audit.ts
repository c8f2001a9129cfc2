import { type AuditBufferOptions, type BufferedAuditSink, createBufferedAudit, salvageRecord } from '../audit-buffer.ts';
import { type AuditRow, auditFromRow } from '../rows.ts';
import type { AuditRecord, AuditSink, AuditTrail } from '../types.ts';
import { AuditChain } from '../audit-chain.ts';
import { postgresTrail } from './audit-trail.ts';
import { entryFromRow, type EntryRow } from '../audit-sql.ts';
import type { Db } from './db.ts';
import type { Logger } from '../../log.ts';
import { billedListeners, billedPerApp } from '../leases.ts';

export type PostgresAuditSink = BufferedAuditSink<Promise<void>> & Pick<AuditSink, 'onBilled'>;

/** SQLSTATE classes 22 (data exception: jsonb refuses \u0000 and lone surrogates) and 23 (integrity): the rows, not the server. */
const refusedRows = (error: unknown): boolean => /^2[23]/.test(String((error as { code?: unknown }).code ?? ''));

export function postgresAudit(db: Db, node: string, logger?: Logger, options: AuditBufferOptions = {}): { sink: PostgresAuditSink; trail: AuditTrail } {
  const listeners = billedListeners();
  const chain = new AuditChain(node);
  const sink = createBufferedAudit({
    refused: refusedRows,
    salvage: salvageRecord,
    // One statement per batch (so one commit): a multi-row INSERT by unnest, at 15 parameters however many
    // rows, and the billed answers' units out of this node's leases.
    writeBatch: (batch: AuditRecord[]) => chain.exclusive(async () => {
      const billed = billedPerApp(batch);
      const entry = chain.sealBatch(batch, Date.now());
      // The batch's chain entry in the same statement (so the same commit) as its rows.
      const done = await db.query<never>(
        `WITH spent AS (
           UPDATE quota_leases l SET units = greatest(l.units - b.n, 0)
           FROM unnest($14::text[], $15::int[]) AS b(appid, n) WHERE l.appid = b.appid AND l.node = $13
         ), linked AS (
           INSERT INTO audit_chain (chain, n, kind, at, first_at, records, prev, mac, detail)
           SELECT $22::text, $23::bigint, 'batch', $24::float8, $25::float8, $26::int, $27::text, $28::text, NULL WHERE $22::text IS NOT NULL
         )
         INSERT INTO audit (check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal,
                            route, client_ip, name_hash, id_hash, card_hash, phone_hash, chain, batch)
         SELECT *, $22::text, $23::bigint FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::jsonb[], $9::text[], $10::boolean[], $11::float8[], $12::text[],
                              $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])`,
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
          batch.map((r) => r.route ?? null),
          batch.map((r) => r.clientIp ?? null),
          batch.map((r) => r.hashes?.name ?? null),
          batch.map((r) => r.hashes?.idNumber ?? null),
          batch.map((r) => r.hashes?.bankCard ?? null),
          batch.map((r) => r.hashes?.phone ?? null),
          entry?.chain ?? null,
          entry?.n ?? null,
          entry?.at ?? null,
          entry?.firstAt ?? null,
          entry?.records ?? null,
          entry?.prev ?? null,
          entry?.mac ?? null,
        ],
      ).catch(async (error: unknown) => {
        // A commit whose answer was lost (the connection dropped after it): this very batch is stored
        // under the entry the retry would take. Its head moves there, and the batch is not written twice.
        if (!entry || (error as { code?: string }).code !== '23505') throw error;
        const { rows } = await db.query<EntryRow>('SELECT * FROM audit_chain WHERE chain = $1 AND n = $2', [entry.chain, entry.n]);
        const stored = rows[0] && entryFromRow(rows[0]);
        if (!stored || !chain.sealedThese(stored, batch)) throw error;
        chain.committed(stored);
        listeners.committed(billed);
        return undefined;
      });
      if (!done) return;
      if (entry) chain.committed(entry);
      listeners.committed(billed);
    }),
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
  return { sink: { ...sink, onBilled: listeners.add }, trail: postgresTrail(db, chain, () => sink.flush()) };
}
