import { spawnSync } from 'node:child_process';
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
  it('copy committed pages into the database file from a worker, while commits go on', async () => {
    // The connection's own checkpoint off, to see the worker's work alone.
    db.pragma('wal_autocheckpoint = 0');
    const checkpointer = startCheckpointer(db, { busyTimeoutMs: 1000, intervalMs: 10 });
    write(8);
    await until(() => statSync(join(dir, 'x.db')).size > 8 * 1024 * 1024);
    write(1);
    await checkpointer.stop();
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(9 * 1024);
  });

  it('start the WAL over once the worker has copied it, with the event loop\'s own checkpoint only a far backstop', async () => {
    const checkpointer = startCheckpointer(db, { busyTimeoutMs: 1000, intervalMs: 10 });
    // No commit of this connection checkpoints (and fsyncs) before the WAL reaches 40,000 pages.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(40_000);
    for (let round = 0; round < 6; round++) {
      write(4);
      // Until the worker has copied this step into the database file (however busy the machine is): the
      // next commit may then start the WAL over.
      await until(() => statSync(join(dir, 'x.db')).size >= (round + 1) * 4 * 1024 * 1024, 20_000);
      await new Promise((r) => setTimeout(r, 30));
    }
    // 24 MiB written in 4 MiB steps; the WAL holds no more than the last steps' pages.
    const { log } = (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!;
    expect(log).toBeLessThan(3 * 1024);
    await checkpointer.stop();
    // Without the worker, commits checkpoint at SQLite's default mark again.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('keep a closing store\'s process alive until the worker has stopped and the file is closed', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'close-busy.ts'), join(dir, 'busy.db')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stderr).toBe('');
    expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 0, stdout: 'closed\n' });
  });
});
