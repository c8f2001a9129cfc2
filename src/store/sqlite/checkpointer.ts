import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints mostly off the event loop. SQLite's automatic checkpoint runs inside whichever
 * commit crosses 1,000 WAL pages and copies them all into the database: a pause of a few ms on the
 * request path, about 1% of a busy server's commits (its p99). Here a worker thread with its own
 * connection runs PASSIVE checkpoints back to back (they never block writers, and the database's
 * fsync happens in that thread); once one has copied every page, this connection's next write starts
 * the WAL over. The event loop's own checkpoint stays only as a backstop, should the worker fall far
 * behind. Other processes keep their defaults.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
// Lowest CPU priority for this thread alone (Linux: a thread id is a setpriority target): where it
// shares a core with the event loop, the checkpoint yields instead of preempting requests.
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) require('node:os').setPriority(tid, 19);
} catch {}
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
let stopped = false;
parentPort.on('message', () => { stopped = true; });
const pass = () => {
  if (stopped) { db.close(); parentPort.close(); return; }
  let wait = 1;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log === r.checkpointed) wait = workerData.idleMs;
  } catch (err) {
    // Busy or locked: try again on the next pass.
  }
  setTimeout(pass, wait);
};
pass();
`;

/** SQLite's default: a commit that takes the WAL past this many pages checkpoints it. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
const BACKSTOP_PAGES = 10_000;

export function startCheckpointer(
  db: Database.Database,
  options: { busyTimeoutMs: number; idleMs?: number },
): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: db.name,
      busyTimeoutMs: options.busyTimeoutMs,
      idleMs: options.idleMs ?? 50,
    },
  });
  worker.unref();
  // The worker keeps the WAL short, so this connection's own automatic checkpoint — which ends in an
  // fsync of the database on the event loop, milliseconds a request waits for — only comes back as a
  // safety valve, should the worker fall behind: at 10,000 pages (~40 MB) instead of 1,000.
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  // Should the worker fail, commits simply checkpoint everything themselves again, as without it.
  worker.once('error', (err) => {
    console.error(`sqlite: background checkpoints stopped (${err.message})`);
  });
  return {
    async stop() {
      // Unref'd while it runs; a closing store waits for it (else a process with nothing else to do
      // would end before the close finished, its database left open).
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
