import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/store/sqlite/checkpointer.ts';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'realname-ckpt-'));
  db = new Database(join(dir, 'x.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v BLOB)');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (mb: number) => {
  const insert = db.prepare('INSERT INTO t (v) VALUES (randomblob(1024))');
  const tx = db.transaction(() => {
    for (let i = 0; i < 1024; i++) insert.run();
  });
  for (let i = 0; i < mb; i++) tx();
};

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file from a worker, the connection checkpointing nothing itself', async () => {
    const checkpointer = startCheckpointer(db, { busyTimeoutMs: 1000, idleMs: 10 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(8);
    await until(() => statSync(join(dir, 'x.db')).size > 8 * 1024 * 1024);
    await checkpointer.stop();
    // Handed back: the connection checkpoints on commit again.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(8 * 1024);
  });

  it('start the WAL over once it passes the limit, so it does not grow without end', async () => {
    const checkpointer = startCheckpointer(db, { busyTimeoutMs: 1000, idleMs: 10, fullAtPages: 500 });
    for (let round = 0; round < 6; round++) {
      write(4);
      await new Promise((r) => setTimeout(r, 30));
    }
    await until(() => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log < 2000);
    await checkpointer.stop();
  });
});
