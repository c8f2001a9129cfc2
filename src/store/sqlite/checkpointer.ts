import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses 1,000 WAL pages: it copies them into the database and syncs it, a pause of several ms on
 * the request path (about 1% of a busy server's commits, its p99). Here a worker thread with its own
 * connection runs PASSIVE checkpoints back to back, which never block this connection's writers,
 * and the connection's own automatic checkpoint is switched off. Should the WAL still grow past
 * `fullAtPages` (writers so busy that no passive pass catches up), the worker runs one RESTART
 * checkpoint: it holds writers back while it copies what the passive pass left, so the WAL starts over. Other processes sharing the file keep their defaults.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
let stopped = false;
parentPort.on('message', () => { stopped = true; });
const pass = () => {
  if (stopped) { db.close(); parentPort.close(); return; }
  let idle = true;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log > workerData.fullAtPages) db.pragma('wal_checkpoint(RESTART)');
    idle = r.log === r.checkpointed;
  } catch (err) {
    // Busy or locked: try again on the next pass.
  }
  setTimeout(pass, idle ? workerData.idleMs : 1);
};
pass();
`;

export function startCheckpointer(
  db: Database.Database,
  options: { busyTimeoutMs: number; idleMs?: number; fullAtPages?: number },
): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: db.name,
      busyTimeoutMs: options.busyTimeoutMs,
      idleMs: options.idleMs ?? 50,
      fullAtPages: options.fullAtPages ?? 4_000,
    },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  // A WAL that once grew is cut back to 64 MiB when it restarts.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Any failure of the worker hands checkpoints back to this connection.
  worker.once('error', (err) => {
    console.error(`sqlite: background checkpoints stopped (${err.message}); checkpointing on commit again`);
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    },
  };
}
