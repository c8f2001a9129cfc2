import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteApps } from './sqlite/apps.ts';
import { sqliteAudit } from './sqlite/audit.ts';
import { sqliteDaily } from './sqlite/daily.ts';
import { sqliteKeys } from './sqlite/keys.ts';
import { sqliteNonces } from './sqlite/nonces.ts';
import { sqliteLeases } from './sqlite/leases.ts';
import { randomBytes } from 'node:crypto';
import { sqliteRegistry } from './sqlite/registry.ts';
import { sqliteSources } from './sqlite/sources.ts';
import { sqliteOperators } from './sqlite/operators.ts';
import { sqliteApiKeys, sqliteIdempotency } from './sqlite/rest.ts';
import { sqliteBatches } from './sqlite/batches.ts';
import { type Checkpointer, startCheckpointer } from './sqlite/checkpointer.ts';
import { counterBatch } from './sqlite/group-commit.ts';
import { migrate } from './sqlite/schema.ts';
import type { CheckSpender, RateLimiter, Store } from './types.ts';
import type { Logger } from '../log.ts';

export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. Several processes may share it. */
  file: string;
  /** How long a statement waits for another process's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  logger?: Logger;
  /** Most audit records held while the file cannot be written (default 10,000). */
  auditBuffer?: number;
}

/** Checks (audit records, or counter steps) before checkpoints move off the event loop (src/store/sqlite/checkpointer.ts). */
const CHECKPOINT_WORKER_AFTER = 1000;

/** The embedded default backend: one file, WAL, safe to share between processes on one machine. */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
  const onDisk = opts.file !== ':memory:' && opts.file !== '';
  const created = onDisk && !existsSync(opts.file);
  const db = new Database(opts.file);
  // A new store is the owner's alone (it holds the registry's hashes and the sealed secrets), whatever the
  // umask: SQLite gives the -wal and -shm files it creates next the main file's mode.
  if (created) chmodSync(opts.file, 0o600);
  const busyTimeoutMs = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
  try {
    // busy_timeout first: the other pragmas and the migration may wait for another process.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL: a crash of the process loses nothing; a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (created) for (const side of ['-wal', '-shm']) if (existsSync(opts.file + side)) chmodSync(opts.file + side, 0o600);
  } catch (err) {
    db.close();
    throw err;
  }

  const node = randomBytes(8).toString('hex');
  const { sink: audit, trail: auditTrail } = sqliteAudit(db, node, opts.logger, opts.auditBuffer === undefined ? {} : { limit: opts.auditBuffer });
  const ping = db.prepare('SELECT 1');
  // Rate units and quota units of one turn's checks share one transaction: one lock, one commit.
  const counters = counterBatch(db);
  const apps = sqliteApps(db, counters.reserve);
  const rate: RateLimiter = { take: counters.take };
  // A store that serves checks moves its WAL checkpoints to a worker thread once it is busy (a CLI
  // command or a short test never starts one).
  let checkpointer: Checkpointer | undefined;
  let checks = 0;
  const busy = () => {
    if (checkpointer === undefined && ++checks >= CHECKPOINT_WORKER_AFTER) checkpointer = startCheckpointer(db, { busyTimeoutMs, logger: opts.logger });
  };
  const spender: CheckSpender = {
    spend: (appid, window, nowMs, reserve) => {
      busy();
      return counters.spend(appid, window.key, window.limit, nowMs, reserve);
    },
  };
  // Every answer writes its audit record (with counters by lease, the only per-check write).
  const write = audit.write;
  audit.write = (record) => {
    busy();
    write(record);
  };
  return {
    kind: 'sqlite',
    node,
    apps,
    leases: sqliteLeases(db),
    registry: sqliteRegistry(db),
    rate,
    spender,
    nonces: sqliteNonces(db),
    daily: sqliteDaily(db),
    audit,
    auditTrail,
    keys: sqliteKeys(db),
    sources: sqliteSources(db),
    operators: sqliteOperators(db),
    apiKeys: sqliteApiKeys(db),
    idempotency: sqliteIdempotency(db),
    batches: sqliteBatches(db),
    async ping() {
      ping.get();
    },
    async close() {
      if (!db.open) return;
      try {
        audit.close();
        await checkpointer?.stop();
      } finally {
        db.close();
      }
    },
  };
}
