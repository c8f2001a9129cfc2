import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { defaultLogger, type Logger } from '../../log.ts';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses 1,000 WAL pages: it copies them into the database and fsyncs it, a pause of milliseconds on
 * the request path. Here a worker thread with its own connection runs PASSIVE checkpoints (they never
 * block writers; the database's fsync happens in that thread) back to back until one has copied the
 * whole WAL, then rests for an interval (1 s). The rest matters: after a checkpoint has copied
 * everything, the next commit starts the WAL over and fsyncs its new header under the write lock
 * (2-3 ms on this machine's disk), so catching up many times a second would put that pause on many
 * requests; without catching up, the WAL would never start over. The event loop's own checkpoint
 * stays as a far backstop. Other processes keep their defaults.
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
let timer;
const pass = () => {
  // Until a pass has copied the whole WAL, the next one follows at once (commits keep adding pages);
  // then the worker rests, so the WAL starts over about once an interval.
  let wait = 1;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log === r.checkpointed) wait = workerData.intervalMs;
  } catch (err) {
    // Busy or locked: try again on the next pass.
  }
  timer = setTimeout(pass, wait);
};
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
timer = setTimeout(pass, workerData.intervalMs);
`;

/** SQLite's default: a commit that takes the WAL past this many pages checkpoints it. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** ~160 MB: four seconds of the WAL's growth at 5,000 commits/s of two pages, should the worker fall behind. */
const BACKSTOP_PAGES = 40_000;

export function startCheckpointer(
  db: Database.Database,
  options: { busyTimeoutMs: number; intervalMs?: number; logger?: Logger | undefined },
): Checkpointer {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: db.name,
      busyTimeoutMs: options.busyTimeoutMs,
      intervalMs: options.intervalMs ?? 1000,
    },
  });
  worker.unref();
  // The worker checkpoints, so this connection's own automatic checkpoint — copying and an fsync on
  // the event loop, milliseconds a request waits for — only comes back as a far backstop.
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  // Should the worker fail, commits simply checkpoint everything themselves again, as without it.
  worker.once('error', (err) => {
    (options.logger ?? defaultLogger()).error({ error: err.message }, 'sqlite: background checkpoints stopped');
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
