import { randomBytes } from 'node:crypto';
import { guardedReplace, splitConflicts } from '../registry-batch.ts';
import { cardOf, type RegistryDbRow, registryFromRow } from '../rows.ts';
import type { CardMatch, ImportResult, RegistryMatch, RegistryReplace, RegistryRow, RegistryStore } from '../types.ts';
import type { Db } from './db.ts';
import { registryCardIndexSql } from './schema.ts';

const NO_CARD = Buffer.alloc(0);

/**
 * importBatch against one table (the live registry or a replace's stage) in three round trips:
 * lock the table against other writers (readers go on), read the names already on file for the
 * batch's people, decide conflicts in batch order, then insert the rest in one statement.
 */
async function importInto(db: Db, table: string, rows: RegistryRow[]): Promise<ImportResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0, conflicts: [] };
  return db.tx(async (c) => {
    // SHARE ROW EXCLUSIVE conflicts with itself: two importers cannot both decide a person is new.
    await c.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
    const { rows: known } = await c.query<{ id_hash: Buffer; name_hash: Buffer }>(
      `SELECT DISTINCT ON (id_hash) id_hash, name_hash FROM ${table} WHERE id_hash = ANY($1::bytea[])`,
      [rows.map((r) => r.idHash)],
    );
    const nameOf = new Map(known.map((k) => [k.id_hash.toString('hex'), k.name_hash]));
    const { accepted, conflicts } = splitConflicts(rows, (id) => nameOf.get(id));
    if (accepted.length === 0) return { inserted: 0, duplicates: 0, conflicts };
    // Repeats of one (person, card), in the batch or on file, meet ON CONFLICT and count as duplicates.
    const { rowCount } = await c.query(
      `INSERT INTO ${table} (id_hash, card_hash, name_hash, phone_hash, key_id, norm_version)
       SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::bytea[], $5::text[], $6::integer[])
       ON CONFLICT (id_hash, card_hash) DO NOTHING`,
      [
        accepted.map((r) => r.idHash),
        accepted.map((r) => cardOf(r.cardHash) ?? NO_CARD),
        accepted.map((r) => r.nameHash),
        accepted.map((r) => r.phoneHash),
        accepted.map((r) => r.keyId),
        accepted.map((r) => r.normVersion),
      ],
    );
    const inserted = rowCount ?? 0;
    return { inserted, duplicates: accepted.length - inserted, conflicts };
  });
}

export function postgresRegistry(db: Db): RegistryStore {
  return {
    importBatch: (rows) => importInto(db, 'registry', rows),
    async lookup(idHash) {
      const { rows } = await db.query<RegistryDbRow>('SELECT * FROM registry WHERE id_hash = $1', [idHash]);
      return rows.map(registryFromRow);
    },
    async match(idHash, nameHash, cardHash, phoneHash) {
      if (phoneHash === undefined) {
        const { rows } = await db.query<RegistryMatch>(
          `SELECT count(*) > 0 AS found, coalesce(bool_or(name_hash = $2), false) AS "nameMatches",
                  coalesce(bool_or(length(card_hash) > 0), false) AS "cardsOnFile",
                  coalesce(bool_or(card_hash = $3), false) AS "cardMatches"
           FROM registry WHERE id_hash = $1`,
          [idHash, nameHash, cardHash],
        );
        return rows[0]!;
      }
      // The phones of the asked card's rows when a card is asked ($3 not NULL), else of every row.
      const { rows } = await db.query<RegistryMatch>(
        `SELECT count(*) > 0 AS found, coalesce(bool_or(name_hash = $2), false) AS "nameMatches",
                coalesce(bool_or(length(card_hash) > 0), false) AS "cardsOnFile",
                coalesce(bool_or(card_hash = $3), false) AS "cardMatches",
                coalesce(bool_or(phone_hash IS NOT NULL AND ($3::bytea IS NULL OR card_hash = $3)), false) AS "phonesOnFile",
                coalesce(bool_or(phone_hash = $4 AND ($3::bytea IS NULL OR card_hash = $3)), false) AS "phoneMatches"
         FROM registry WHERE id_hash = $1`,
        [idHash, nameHash, cardHash, phoneHash],
      );
      return rows[0]!;
    },
    async matchCard(cardHash, nameHash) {
      // The partial index's condition repeated, so the planner may use it (registryCardIndexSql).
      const { rows } = await db.query<CardMatch>(
        `SELECT count(*) > 0 AS found, coalesce(bool_or(name_hash = $2), false) AS "nameMatches"
         FROM registry WHERE card_hash = $1 AND length(card_hash) > 0`,
        [cardHash, nameHash],
      );
      return rows[0]!;
    },
    async remove(idHash) {
      return (await db.query('DELETE FROM registry WHERE id_hash = $1', [idHash])).rowCount ?? 0;
    },
    async count() {
      const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM registry');
      return rows[0]!.n;
    },
    async beginReplace(): Promise<RegistryReplace> {
      // A unique name: two replaces (even from two processes) never share a stage.
      const stage = `registry_stage_${randomBytes(6).toString('hex')}`;
      // Its indexes made here under names the swap renames (LIKE … INCLUDING INDEXES would invent names).
      await db.query(
        `CREATE TABLE ${stage} (LIKE registry INCLUDING ALL EXCLUDING INDEXES, CONSTRAINT ${stage}_pkey PRIMARY KEY (id_hash, card_hash));
         ${registryCardIndexSql(stage)}`,
      );
      return guardedReplace({
        importBatch: (rows) => importInto(db, stage, rows),
        // Readers see the old table until this transaction commits, then only the new one (a query
        // waiting on the lock looks the name up again once it is granted).
        swap: () =>
          db.tx(async (c) => {
            await c.query('LOCK TABLE registry IN ACCESS EXCLUSIVE MODE');
            await c.query('DROP TABLE registry');
            await c.query(`ALTER TABLE ${stage} RENAME TO registry`);
            await c.query(`ALTER INDEX ${stage}_pkey RENAME TO registry_pkey`);
            await c.query(`ALTER INDEX ${stage}_by_card RENAME TO registry_by_card`);
          }),
        drop: async () => {
          await db.query(`DROP TABLE IF EXISTS ${stage}`);
        },
      });
    },
  };
}
