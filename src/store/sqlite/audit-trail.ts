import type Database from 'better-sqlite3';
import { type AuditChain, batchBody, type ChainTip, type EraseDetail, erasedMasks, EVENTS_CHAIN, legacyMarkOf, mergeResume, type PurgeDetail, type ResumePoints, SKEW_MS, touchedBatches } from '../audit-chain.ts';
import { auditWhere, entryFromRow, type EntryRow, PAGE, storedFromRow, type StoredRow } from '../audit-sql.ts';
import { TALLY_SLOT_MS, type AuditSubject, type AuditTally, type AuditTrail, type ChainEntry, type StoredAudit } from '../types.ts';

type Row = Omit<StoredRow, 'masked' | 'billed'> & { masked: string; billed: number };
const decode = (r: Row): StoredAudit => storedFromRow({ ...r, masked: maskedOf(r.masked), billed: r.billed === 1 });

/**
 * A record's masks, or none when the cell is not the JSON object written (altered by hand): the record
 * is still read — verify then finds its batch altered, and a search still lists the rest.
 */
export function maskedOf(text: string): StoredAudit['masked'] {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as StoredAudit['masked'];
  } catch {
    // Falls through: not JSON.
  }
  return {};
}

const q = () => '?';

/**
 * The SQLite audit read whole: searches stream by seq; purge and erasure commit with their chain event.
 * Every event runs in an IMMEDIATE transaction — the database's one writer — so reading the events
 * chain's tip and extending it cannot interleave with another process doing the same.
 */
export function sqliteTrail(db: Database.Database, chain: AuditChain, flush: () => Promise<void>): AuditTrail {
  const insertEntry = db.prepare(
    'INSERT INTO audit_chain (chain, n, kind, at, first_at, records, prev, mac, detail) VALUES (@chain, @n, @kind, @at, @firstAt, @records, @prev, @mac, @detail)',
  );
  const tipOf = db.prepare('SELECT n, mac, detail FROM audit_chain WHERE chain = ? ORDER BY n DESC LIMIT 1');
  const eventsTip = () => tipOf.get(EVENTS_CHAIN) as ChainTip | undefined;
  const legacyMark = db.prepare('SELECT upto FROM audit_legacy').pluck();
  const legacyOf = (tip: ChainTip | undefined) => legacyMarkOf(tip?.detail) ?? (legacyMark.get() as number | undefined) ?? 0;
  const append = (entry: ChainEntry) => {
    insertEntry.run(entry);
  };

  const purge = db.transaction((before: number, by: object): { records: number; batches: number } => {
    // Read before the cut: the purge's own event links to it, removed or not.
    const tip = eventsTip();
    const cuts: ResumePoints = {};
    const heads = db.prepare('SELECT chain, max(n) AS n FROM audit_chain WHERE at < ? GROUP BY chain').all(before) as { chain: string; n: number }[];
    const macOf = db.prepare('SELECT mac FROM audit_chain WHERE chain = ? AND n = ?').pluck();
    const earlier = db.prepare("SELECT detail FROM audit_chain WHERE kind = 'purge'").pluck().all() as string[];
    let records = 0;
    let batches = 0;
    const batchesUpTo = db.prepare("SELECT count(*) FROM audit_chain WHERE chain = ? AND n <= ? AND kind = 'batch'").pluck();
    const remains = db.prepare('SELECT 1 FROM audit_chain WHERE chain = ? LIMIT 1').pluck();
    for (const { chain: id, n } of heads) {
      const mac = macOf.get(id, n) as string;
      const purgedBatches = batchesUpTo.get(id, n) as number;
      // The time index narrows the scan to old records (a batch's rows are no newer than its entry, within a day's clock skew).
      if (purgedBatches > 0) records += db.prepare('DELETE FROM audit WHERE at < ? AND chain = ? AND batch <= ?').run(before + SKEW_MS, id, n).changes;
      batches += purgedBatches;
      db.prepare('DELETE FROM audit_chain WHERE chain = ? AND n <= ?').run(id, n);
      // A command's chain of events only (as the events of old versions were), all gone, needs no resume
      // point: it wrote its last long ago. The events chain goes on, with this purge's event.
      if (purgedBatches > 0 || id === EVENTS_CHAIN || remains.get(id) !== undefined) cuts[id] = { n, mac };
    }
    // Records from before chains existed go by their own time.
    records += db.prepare('DELETE FROM audit WHERE chain IS NULL AND at < ?').run(before).changes;
    // Nothing went (a second node's purge of the same day): nothing to say.
    if (records === 0 && heads.length === 0) return { records, batches };
    const detail: PurgeDetail = { before, records, batches, resume: mergeResume(earlier, cuts), by };
    append(chain.sealEvent(tip, 'purge', detail, Date.now(), records, legacyOf(tip)));
    return { records, batches };
  });

  const erase = db.transaction((subject: AuditSubject, by: object): { records: number } => {
    const where = auditWhere({ subject }, q);
    const rows = (db.prepare(`SELECT * FROM audit ${where.sql}`).all(...where.params) as Row[]).map(decode);
    const blank = db.prepare('UPDATE audit SET masked = ?, name_hash = NULL, id_hash = NULL, card_hash = NULL, phone_hash = NULL WHERE seq = ?');
    for (const row of rows) blank.run(JSON.stringify(erasedMasks(row.masked)), row.seq);
    // Each batch touched, re-sealed as it now stands (a row written without a chain is blanked all the same).
    const ofBatch = db.prepare('SELECT * FROM audit WHERE chain = ? AND batch = ? ORDER BY seq');
    const detail: EraseDetail = { factor: 'idNumber', hash: subject.idNumber, bankCards: subject.bankCards, phones: subject.phones, checkIds: rows.map((r) => r.checkId), records: rows.length, batches: [], by };
    for (const [id, n] of touchedBatches(rows)) detail.batches.push([id, n, batchBody((ofBatch.all(id, n) as Row[]).map(decode))]);
    const tip = eventsTip();
    append(chain.sealEvent(tip, 'erase', detail, Date.now(), rows.length, legacyOf(tip)));
    return { records: rows.length };
  });

  return {
    useKey: (key) => chain.useKey(key),
    head: () => chain.head(),
    async *search(filter, options = {}) {
      await flush();
      const { sql, params } = auditWhere(filter, q);
      const order = options.newestFirst ? 'DESC' : 'ASC';
      const page = db.prepare(`SELECT * FROM audit ${sql ? `${sql} AND` : 'WHERE'} seq ${options.newestFirst ? '<' : '>'} ? ORDER BY seq ${order} LIMIT ?`);
      let left = options.limit ?? Infinity;
      let after = options.newestFirst ? Number.MAX_SAFE_INTEGER : 0;
      while (left > 0) {
        const rows = page.all(...params, after, Math.min(PAGE, left)) as Row[];
        for (const row of rows) yield decode(row);
        if (rows.length < Math.min(PAGE, left)) return;
        left -= rows.length;
        after = rows.at(-1)!.seq;
      }
    },
    async findByCheckId(checkId, appid) {
      for await (const record of this.search(appid === undefined ? { checkId } : { checkId, appid }, { limit: 1, newestFirst: true })) return record;
      return undefined;
    },
    async tally(filter) {
      await flush();
      const { sql, params } = auditWhere(filter, q);
      const rows = db
        .prepare(
          `SELECT appid, dialect, kind, source, (at / ${TALLY_SLOT_MS}) * ${TALLY_SLOT_MS} AS slot,
             sum(billed) AS billed, sum(verdict IS NOT NULL AND billed = 0) AS unbilled, sum(refusal IS NOT NULL) AS refused
           FROM audit ${sql} GROUP BY appid, dialect, kind, source, slot`,
        )
        .all(...params) as AuditTally[];
      return rows;
    },
    async entries() {
      await flush();
      return (db.prepare('SELECT * FROM audit_chain ORDER BY chain, n').all() as EntryRow[]).map(entryFromRow);
    },
    async rows(afterSeq, limit, since) {
      const rows = (since === undefined
        ? db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)
        : db.prepare('SELECT * FROM audit WHERE seq > ? AND at >= ? ORDER BY seq LIMIT ?').all(afterSeq, since, limit)) as Row[];
      return rows.map(decode);
    },
    async legacyUpto() {
      return (db.prepare('SELECT upto FROM audit_legacy').pluck().get() as number | undefined) ?? 0;
    },
    async purge(before, by) {
      await flush();
      return purge.immediate(before, by);
    },
    async erase(subject, by) {
      await flush();
      return erase.immediate(subject, by);
    },
    async appendEvent(kind, detail) {
      await flush();
      db.transaction(() => {
        const tip = eventsTip();
        append(chain.sealEvent(tip, kind, detail, Date.now(), 0, legacyOf(tip)));
      }).immediate();
    },
  };
}
