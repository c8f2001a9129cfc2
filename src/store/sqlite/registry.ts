import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { guardedReplace } from '../registry-batch.ts';
import { cardOf, type RegistryDbRow, registryFromRow } from '../rows.ts';
import type { CardMatch, ImportResult, RegistryMatch, RegistryReplace, RegistryRow, RegistryStore, RegistryWriter } from '../types.ts';
import { registryCardIndexSql, registryTableSql } from './schema.ts';

/** importBatch against one table: the live registry or a replace's staging table. */
function tableWriter(db: Database.Database, table: string): RegistryWriter['importBatch'] {
  // The common case (a new row for a consistent person) is a single statement; only when nothing is
  // inserted do we look again to tell a duplicate from a conflict. A null card is stored as x''
  // (a zero-length Buffer may bind as NULL, so the SQL supplies it). Positional parameters (the ID and
  // name hashes given twice): binding by name costs a lookup per parameter per row.
  const insert = db.prepare(
    `INSERT INTO ${table} (id_hash, card_hash, name_hash, phone_hash, key_id, norm_version)
     SELECT ?, ifnull(?, x''), ?, ?, ?, ?
     WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE id_hash = ? AND name_hash <> ?)
     ON CONFLICT (id_hash, card_hash) DO NOTHING`,
  );
  const otherName = db.prepare(`SELECT 1 FROM ${table} WHERE id_hash = ? AND name_hash <> ? LIMIT 1`);
  const run = db.transaction((rows: RegistryRow[]): ImportResult => {
    const result: ImportResult = { inserted: 0, duplicates: 0, conflicts: [] };
    rows.forEach((r, index) => {
      const inserted = insert.run(r.idHash, cardOf(r.cardHash), r.nameHash, r.phoneHash, r.keyId, r.normVersion, r.idHash, r.nameHash).changes;
      if (inserted === 1) result.inserted++;
      else if (otherName.get(r.idHash, r.nameHash)) result.conflicts.push(index);
      else result.duplicates++;
    });
    return result;
  });
  return async (rows) => run.immediate(rows);
}

export function sqliteRegistry(db: Database.Database): RegistryStore {
  const importBatch = tableWriter(db, 'registry');
  const lookup = db.prepare('SELECT * FROM registry WHERE id_hash = ?');
  // An aggregate always yields one row; integers only, so no Buffer is made per check. A missing
  // card is x'' on file and NULL when asked, and NULL never equals anything.
  const match = db.prepare(
    `SELECT count(*) AS found, ifnull(max(name_hash = ?), 0) AS nameMatches,
            ifnull(max(length(card_hash) > 0), 0) AS cardsOnFile, ifnull(max(card_hash = ?), 0) AS cardMatches
     FROM registry WHERE id_hash = ?`,
  );
  // With a phone asked: its rows are those of the asked card when one is asked (card not NULL), else
  // all. A row without a phone has NULL there, which max() passes over. Parameters: name, card ×5,
  // phone, ID (anonymous and positional, as above).
  const matchWithPhone = db.prepare(
    `SELECT count(*) AS found, ifnull(max(name_hash = ?), 0) AS nameMatches,
            ifnull(max(length(card_hash) > 0), 0) AS cardsOnFile, ifnull(max(card_hash = ?), 0) AS cardMatches,
            ifnull(max(phone_hash IS NOT NULL AND (? IS NULL OR card_hash = ?)), 0) AS phonesOnFile,
            ifnull(max((? IS NULL OR card_hash = ?) AND phone_hash = ?), 0) AS phoneMatches
     FROM registry WHERE id_hash = ?`,
  );
  // The partial index's condition repeated, so the planner may use it (registryCardIndexSql).
  const matchCard = db.prepare(
    `SELECT count(*) AS found, ifnull(max(name_hash = ?), 0) AS nameMatches
     FROM registry WHERE card_hash = ? AND length(card_hash) > 0`,
  );
  const remove = db.prepare('DELETE FROM registry WHERE id_hash = ?');
  const count = db.prepare('SELECT count(*) AS n FROM registry');

  return {
    importBatch,
    async lookup(idHash) {
      return (lookup.all(idHash) as RegistryDbRow[]).map(registryFromRow);
    },
    async match(idHash, nameHash, cardHash, phoneHash) {
      if (phoneHash === undefined) {
        const m = match.get(nameHash, cardHash, idHash) as Record<keyof RegistryMatch, number>;
        return { found: m.found > 0, nameMatches: m.nameMatches === 1, cardsOnFile: m.cardsOnFile === 1, cardMatches: m.cardMatches === 1 };
      }
      const m = matchWithPhone.get(nameHash, cardHash, cardHash, cardHash, cardHash, cardHash, phoneHash, idHash) as Record<keyof RegistryMatch, number>;
      return {
        found: m.found > 0,
        nameMatches: m.nameMatches === 1,
        cardsOnFile: m.cardsOnFile === 1,
        cardMatches: m.cardMatches === 1,
        phonesOnFile: m.phonesOnFile === 1,
        phoneMatches: m.phoneMatches === 1,
      };
    },
    async matchCard(cardHash, nameHash) {
      const m = matchCard.get(nameHash, cardHash) as Record<keyof CardMatch, number>;
      return { found: m.found > 0, nameMatches: m.nameMatches === 1 };
    },
    async remove(idHash) {
      return remove.run(idHash).changes;
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async beginReplace(): Promise<RegistryReplace> {
      // A unique name: two replaces (even from two processes) never share a stage.
      const stage = `registry_stage_${randomBytes(6).toString('hex')}`;
      db.exec(registryTableSql(stage));
      db.exec(registryCardIndexSql(stage));
      const stageImport = tableWriter(db, stage);
      const swap = db.transaction(() => {
        db.exec(`DROP TABLE registry; ALTER TABLE ${stage} RENAME TO registry;`);
      });
      return guardedReplace({
        importBatch: stageImport,
        // Readers see the old table until this transaction commits, then only the new one.
        swap: () => swap.immediate(),
        drop: () => {
          db.exec(`DROP TABLE IF EXISTS ${stage}`);
        },
      });
    },
  };
}
