import type pg from 'pg';
import { type AuditChain, batchBody, type ChainTip, type EraseDetail, erasedMasks, EVENTS_CHAIN, legacyMarkOf, mergeResume, type PurgeDetail, type ResumePoints, SKEW_MS, touchedBatches } from '../audit-chain.ts';
import { auditWhere, entryFromRow, type EntryRow, PAGE, storedFromRow, type StoredRow } from '../audit-sql.ts';
import { TALLY_SLOT_MS, type AuditTally, type AuditTrail, type ChainEntry } from '../types.ts';
import type { Db } from './db.ts';

const dollar = (i: number) => `$${i}`;

const INSERT_ENTRY = 'INSERT INTO audit_chain (chain, n, kind, at, first_at, records, prev, mac, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
const entryParams = (e: ChainEntry) => [e.chain, e.n, e.kind, e.at, e.firstAt, e.records, e.prev, e.mac, e.detail];

/** The PostgreSQL audit read whole: searches stream by seq; purge and erasure commit with their chain event. */
export function postgresTrail(db: Db, chain: AuditChain, flush: () => Promise<void>): AuditTrail {
  /**
   * `work` in one transaction holding the events chain's lock, its event entry last, linked to the tip
   * read under that lock: two processes' events never claim the same place in the chain.
   */
  const withEvent = async <T>(work: (client: pg.PoolClient, tip: ChainTip | undefined, legacyUpto: number) => Promise<{ entry: ChainEntry | undefined; result: T }>): Promise<T> =>
    db.tx(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('realname.audit.events'))`);
      const { rows } = await client.query<{ n: string; mac: string; detail: string | null }>('SELECT n, mac, detail FROM audit_chain WHERE chain = $1 ORDER BY n DESC LIMIT 1', [EVENTS_CHAIN]);
      const tip = rows[0] ? { n: Number(rows[0].n), mac: rows[0].mac, detail: rows[0].detail } : undefined;
      // The mark carried on from the tip; the table's only for the store's first event.
      const legacyUpto = legacyMarkOf(tip?.detail) ?? Number((await client.query<{ upto: string }>('SELECT upto FROM audit_legacy')).rows[0]?.upto ?? 0);
      const { entry, result } = await work(client, tip, legacyUpto);
      if (entry) await client.query(INSERT_ENTRY, entryParams(entry));
      return result;
    });

  return {
    useKey: (key) => chain.useKey(key),
    head: () => chain.head(),
    async *search(filter, options = {}) {
      await flush();
      const { sql, params } = auditWhere(filter, dollar);
      const order = options.newestFirst ? 'DESC' : 'ASC';
      const n = params.length;
      const text = `SELECT * FROM audit ${sql ? `${sql} AND` : 'WHERE'} seq ${options.newestFirst ? '<' : '>'} $${n + 1} ORDER BY seq ${order} LIMIT $${n + 2}`;
      let left = options.limit ?? Infinity;
      let after = options.newestFirst ? Number.MAX_SAFE_INTEGER : 0;
      while (left > 0) {
        const { rows } = await db.query<StoredRow>(text, [...params, after, Math.min(PAGE, left)]);
        for (const row of rows) yield storedFromRow(row);
        if (rows.length < Math.min(PAGE, left)) return;
        left -= rows.length;
        after = Number(rows.at(-1)!.seq);
      }
    },
    async findByCheckId(checkId, appid) {
      for await (const record of this.search(appid === undefined ? { checkId } : { checkId, appid }, { limit: 1, newestFirst: true })) return record;
      return undefined;
    },
    async tally(filter) {
      await flush();
      const { sql, params } = auditWhere(filter, dollar);
      const { rows } = await db.query<AuditTally>(
        `SELECT appid, dialect, kind, source, floor(at / ${TALLY_SLOT_MS}) * ${TALLY_SLOT_MS} AS slot,
           count(*) FILTER (WHERE billed)::int AS billed,
           count(*) FILTER (WHERE verdict IS NOT NULL AND NOT billed)::int AS unbilled,
           count(*) FILTER (WHERE refusal IS NOT NULL)::int AS refused
         FROM audit ${sql} GROUP BY appid, dialect, kind, source, slot`,
        params,
      );
      return rows.map((r) => ({ ...r, slot: Number(r.slot) }));
    },
    async entries() {
      await flush();
      const { rows } = await db.query<EntryRow>('SELECT * FROM audit_chain ORDER BY chain, n');
      return rows.map(entryFromRow);
    },
    async rows(afterSeq, limit, since) {
      const { rows } =
        since === undefined
          ? await db.query<StoredRow>('SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])
          : await db.query<StoredRow>('SELECT * FROM audit WHERE seq > $1 AND at >= $2 ORDER BY seq LIMIT $3', [afterSeq, since, limit]);
      return rows.map(storedFromRow);
    },
    async legacyUpto() {
      const { rows } = await db.query<{ upto: number }>('SELECT upto FROM audit_legacy');
      return Number(rows[0]?.upto ?? 0);
    },
    async purge(before, by) {
      await flush();
      // One purge at a time across processes (the events chain's lock): two would each miss the other's resume points.
      return withEvent(async (client, tip, legacyUpto) => {
        const heads = (await client.query<{ chain: string; n: number; mac: string }>(
          `SELECT c.chain, c.n, c.mac FROM audit_chain c
           JOIN (SELECT chain, max(n) AS n FROM audit_chain WHERE at < $1 GROUP BY chain) h ON h.chain = c.chain AND h.n = c.n`,
          [before],
        )).rows;
        const earlier = (await client.query<{ detail: string }>("SELECT detail FROM audit_chain WHERE kind = 'purge'")).rows.map((r) => r.detail);
        const cuts: ResumePoints = {};
        let records = 0;
        let batches = 0;
        for (const { chain: id, n, mac } of heads) {
          const purgedBatches = (await client.query("DELETE FROM audit_chain WHERE chain = $1 AND n <= $2 AND kind = 'batch'", [id, n])).rowCount ?? 0;
          // The time index narrows the scan to old records (a batch's rows are no newer than its entry, within a day's clock skew).
          if (purgedBatches > 0) records += (await client.query('DELETE FROM audit WHERE at < $1 AND chain = $2 AND batch <= $3', [before + SKEW_MS, id, n])).rowCount ?? 0;
          batches += purgedBatches;
          await client.query('DELETE FROM audit_chain WHERE chain = $1 AND n <= $2', [id, n]);
          // A command's chain of events only (as the events of old versions were), all gone, needs no resume
          // point: it wrote its last long ago. The events chain goes on, with this purge's event.
          const remains = id === EVENTS_CHAIN || (await client.query('SELECT 1 FROM audit_chain WHERE chain = $1 LIMIT 1', [id])).rows.length > 0;
          if (purgedBatches > 0 || remains) cuts[id] = { n: Number(n), mac };
        }
        records += (await client.query('DELETE FROM audit WHERE chain IS NULL AND at < $1', [before])).rowCount ?? 0;
        // Nothing went (a second node's purge of the same day): nothing to say.
        if (records === 0 && heads.length === 0) return { entry: undefined, result: { records, batches } };
        const detail: PurgeDetail = { before, records, batches, resume: mergeResume(earlier, cuts), by };
        return { entry: chain.sealEvent(tip, 'purge', detail, Date.now(), records, legacyUpto), result: { records, batches } };
      });
    },
    async erase(subject, by) {
      await flush();
      return withEvent(async (client, tip, legacyUpto) => {
        const where = auditWhere({ subject }, dollar);
        const rows = (await client.query<StoredRow>(`SELECT * FROM audit ${where.sql} FOR UPDATE`, where.params)).rows.map(storedFromRow);
        await client.query(
          `UPDATE audit a SET masked = e.masked, name_hash = NULL, id_hash = NULL, card_hash = NULL, phone_hash = NULL
           FROM unnest($1::bigint[], $2::jsonb[]) AS e(seq, masked) WHERE a.seq = e.seq`,
          [rows.map((r) => r.seq), rows.map((r) => JSON.stringify(erasedMasks(r.masked)))],
        );
        // Each batch touched, re-sealed as it now stands (a row written without a chain is blanked all the same).
        const detail: EraseDetail = { factor: 'idNumber', hash: subject.idNumber, bankCards: subject.bankCards, phones: subject.phones, checkIds: rows.map((r) => r.checkId), records: rows.length, batches: [], by };
        for (const [id, n] of touchedBatches(rows)) {
          const batch = await client.query<StoredRow>('SELECT * FROM audit WHERE chain = $1 AND batch = $2 ORDER BY seq', [id, n]);
          detail.batches.push([id, n, batchBody(batch.rows.map(storedFromRow))]);
        }
        return { entry: chain.sealEvent(tip, 'erase', detail, Date.now(), rows.length, legacyUpto), result: { records: rows.length } };
      });
    },
    async appendEvent(kind, detail) {
      await flush();
      await withEvent(async (_client, tip, legacyUpto) => ({ entry: chain.sealEvent(tip, kind, detail, Date.now(), 0, legacyUpto), result: undefined }));
    },
  };
}
