/**
 * The import baseline: a bare better-sqlite3 bulk insert of the same rows already hashed, into the
 * same table (registryTableSql) with the same pragmas and the same rows a transaction as the import
 * (DEFAULT_BATCH_SIZE), so the two differ only by what the import does per row. Reading the file is
 * not timed.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DEFAULT_BATCH_SIZE } from '../../src/registry/import.ts';
import { registryTableSql } from '../../src/store/sqlite/schema.ts';
import { HASHED_ROW } from '../lib/dataset.ts';
import { peakRssMb } from '../lib/proc.ts';

const args = JSON.parse(process.argv[2]!) as { hashed: string; db: string; keyId: string; normVersion: number };
const bytes = readFileSync(args.hashed);
const rows = bytes.length / HASHED_ROW;
const db = new Database(args.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(registryTableSql('registry'));
const insert = db.prepare('INSERT INTO registry (id_hash, card_hash, name_hash, phone_hash, key_id, norm_version) VALUES (?, ?, ?, ?, ?, ?)');
const batch = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const at = i * HASHED_ROW;
    insert.run(bytes.subarray(at, at + 32), bytes.subarray(at + 32, at + 64), bytes.subarray(at + 64, at + 96), bytes.subarray(at + 96, at + 128), args.keyId, args.normVersion);
  }
});
const started = performance.now();
for (let i = 0; i < rows; i += DEFAULT_BATCH_SIZE) batch.immediate(i, Math.min(rows, i + DEFAULT_BATCH_SIZE));
const seconds = (performance.now() - started) / 1000;
db.close();
process.send!({ type: 'done', rows, seconds, peakRssMb: peakRssMb() }, () => process.exit(0));
