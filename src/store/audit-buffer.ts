import { canonicalCheckId } from '../core/check-id.ts';
import { defaultLogger, type Logger } from '../log.ts';
import type { AuditHealth, AuditRecord, AuditSink } from './types.ts';

/** A flush starts at once when this many records wait; otherwise AUDIT_FLUSH_MS after the first one. */
export const AUDIT_BATCH = 512;
/**
 * How long a record may wait for its batch when nobody waits for it: a busy node writes tens of records
 * a commit instead of the few one event-loop turn holds. An answer waits for its own record
 * (`whenStored`), which starts the write on the next turn instead.
 */
export const AUDIT_FLUSH_MS = 5;
/** Records a sink holds at most unless told otherwise (`--audit-buffer`). */
export const AUDIT_BUFFER_LIMIT = 10_000;
const RETRY_MS = 1000;
const DEFAULT_LIMIT = 100;

/** A synchronous backend (SQLite) gets a synchronous close; an asynchronous one (PostgreSQL) a promise. */
type Done = void | Promise<void>;
type CloseResult<W extends Done> = W extends Promise<void> ? Promise<void> : void;

export interface AuditBackend<W extends Done> {
  /** Writes at most AUDIT_BATCH records, in order; throws (or rejects) when nothing of it was written. */
  writeBatch(batch: AuditRecord[]): W;
  /** The newest `limit` records, newest first; everything buffered before the call is written by then. `checkId` as stored. */
  read(appid: string | undefined, limit: number, checkId?: string): AuditRecord[] | Promise<AuditRecord[]>;
  /**
   * True when `error` says the store refused what the batch holds (a value it cannot store), not that
   * the store is unreachable: the batch is then split to find the record at fault. Without it, every
   * failure is the store's, and the whole batch waits for the retry.
   */
  refused?(error: unknown): boolean;
  /** The record at fault in a form the store can hold, saying so (salvageRecord); it is written instead. */
  salvage?(record: AuditRecord): AuditRecord;
}

export interface AuditBufferOptions {
  /** Most records held, being written included (default 10,000); checks are refused from 90 % of it. */
  limit?: number;
}

export interface BufferedAuditSink<W extends Done> extends Omit<AuditSink, 'onBilled'> {
  /** Writes what is buffered and stops accepting records. */
  close(): CloseResult<W>;
}

// A NUL is what PostgreSQL's text and jsonb refuse; lone surrogates have no UTF-8 form.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A refused record as the store can hold it: each masked value a store may refuse (a NUL, a lone
 * surrogate) — or, when none explains the refusal, every masked value — replaced by
 * `<unstorable, N chars>`. Masked values are the only text a request puts in a record (the rest is
 * ours, and the appid has been checked by shape), so what is left is the service's own.
 */
export function salvageRecord(record: AuditRecord): AuditRecord {
  const entries = Object.entries(record.masked) as [keyof AuditRecord['masked'], string][];
  const suspect = entries.some(([, value]) => UNSTORABLE.test(value));
  const masked: AuditRecord['masked'] = {};
  for (const [field, value] of entries) masked[field] = !suspect || UNSTORABLE.test(value) ? `<unstorable, ${[...value].length} chars>` : value;
  return { ...record, masked };
}

/** `next` after `done`, synchronously when `done` is. */
const after = (done: Done, next: () => Done): Done => (done ? done.then(next) : next());

/** Runs `run`; a throw or a rejection goes to `onError`, synchronously when `run` was. */
function guarded(run: () => Done, onError: (error: unknown) => Done): Done {
  let done: Done;
  try {
    done = run();
  } catch (error) {
    return onError(error);
  }
  return done ? done.then(undefined, onError) : undefined;
}

/**
 * The batched audit sink every durable backend shares: `write` only buffers, a flush runs
 * AUDIT_FLUSH_MS later (or at once at AUDIT_BATCH, or on the next turn when an answer waits for its
 * record), `query` reads its own writes, and `close` writes what is left. The backend says only how to
 * write one batch and how to read.
 *
 * One bad record never holds back another: a batch the store refuses for its contents is split in
 * halves until the record at fault is found, and that one is stored salvaged. A batch that fails
 * because the store is down is kept, in order, and retried every second; meanwhile `accepting()` is
 * false (no check may be answered without its record), `whenStored` keeps nobody waiting, and the
 * buffer is bounded: past `limit` records, new ones are dropped and counted.
 */
export function createBufferedAudit<W extends Done>(
  backend: AuditBackend<W>,
  logger: Logger = defaultLogger(),
  options: AuditBufferOptions = {},
): BufferedAuditSink<W> {
  const limit = Math.max(1, options.limit ?? AUDIT_BUFFER_LIMIT);
  // The last tenth is kept for the answers that carry no verdict (refusals, and the unavailable answers themselves).
  const acceptBelow = limit - Math.ceil(limit / 10);
  let buffer: AuditRecord[] = [];
  let scheduled = false;
  let soon = false;
  let closed = false;
  // The asynchronous batch being written: batches go one after another, so write order is kept.
  let writing: Promise<void> | undefined;
  let failing = false;
  // Records taken in, and of them those stored, in order: `accepted - stored` are buffered or being written.
  let accepted = 0;
  let stored = 0;
  let salvaged = 0;
  let dropped = 0;
  let dropping = false;
  // Callbacks waiting for every record taken in before them (upTo) to be stored, in that order.
  let waiters: { upTo: number; done: () => void }[] = [];
  // Told of each committed batch: its records and how long its write took (the metrics' figures).
  const commitListeners: ((records: number, ms: number) => void)[] = [];
  const committed = (records: number, since: number) => {
    if (commitListeners.length === 0) return;
    const ms = performance.now() - since;
    for (const listener of commitListeners) listener(records, ms);
  };

  const release = () => {
    let ready = 0;
    while (ready < waiters.length && (failing || closed || waiters[ready]!.upTo <= stored)) ready++;
    if (ready === 0) return;
    const due = waiters.slice(0, ready);
    waiters = waiters.slice(ready);
    for (const waiter of due) {
      try {
        waiter.done();
      } catch (error) {
        logger.error({ error: (error as Error).message }, 'audit: a caller waiting for its record failed');
      }
    }
  };
  const settle = (n: number) => {
    stored += n;
    release();
  };
  const setFailing = (value: boolean) => {
    if (failing === value) return;
    failing = value;
    if (failing) release();
    else dropping = false;
  };

  /** Writes `batch`; one the store refuses for its contents is split until the record at fault is found. */
  const writeSplitting = (batch: AuditRecord[]): Done => {
    const since = commitListeners.length ? performance.now() : 0;
    return guarded(
      () =>
        after(backend.writeBatch(batch), () => {
          committed(batch.length, since);
          settle(batch.length);
        }),
      (error) => {
        if (!backend.refused?.(error)) throw error;
        if (batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          return after(writeSplitting(batch.slice(0, half)), () => writeSplitting(batch.slice(half)));
        }
        const record = backend.salvage?.(batch[0]!);
        if (!record) throw error;
        // A store that refuses the salvaged form (the service's own values only) refuses records, not this record.
        return after(backend.writeBatch([record]), () => {
          salvaged++;
          logger.warn({ sessionId: record.checkId }, 'audit: a record could not be stored as sent; stored with its masked values replaced');
          settle(1);
        });
      },
    );
  };

  // Synchronous while the backend is: SQLite's close must have written everything when it returns.
  const drain = (): Done => {
    if (writing) return writing.catch(() => undefined).then(drain);
    while (buffer.length > 0) {
      const batch = buffer.splice(0, AUDIT_BATCH);
      const before = stored;
      // Nothing is lost: what was not stored goes back in front of anything written meanwhile.
      const failed = (error: unknown): never => {
        buffer = batch.slice(stored - before).concat(buffer);
        setFailing(true);
        throw error;
      };
      let done: Done;
      try {
        done = writeSplitting(batch);
      } catch (error) {
        return failed(error);
      }
      if (done) {
        const current: Promise<void> = done.then(
          () => {
            writing = undefined;
            setFailing(false);
          },
          (error: unknown) => {
            writing = undefined;
            failed(error);
          },
        );
        writing = current;
        return current.then(drain);
      }
      setFailing(false);
    }
  };
  const retry = (err: unknown) => {
    logger.error({ records: accepted - stored, error: (err as Error).message }, 'audit: writing records failed, retrying');
    if (scheduled) return;
    scheduled = true;
    setTimeout(drainLater, RETRY_MS).unref();
  };
  const drainLater = () => {
    scheduled = false;
    soon = false;
    try {
      drain()?.catch(retry);
    } catch (err) {
      retry(err);
    }
  };

  return {
    write(record) {
      if (closed) throw new Error('audit sink is closed');
      if (accepted - stored >= limit) {
        dropped++;
        if (!dropping) logger.error({ limit }, 'audit: the buffer is full; records are dropped (and counted) until the store takes them');
        dropping = true;
        return;
      }
      buffer.push(record);
      accepted++;
      if (buffer.length >= AUDIT_BATCH) drainLater();
      else if (!scheduled) {
        scheduled = true;
        setTimeout(drainLater, AUDIT_FLUSH_MS);
      }
    },
    accepting() {
      return !closed && !failing && accepted - stored < acceptBelow;
    },
    health(): AuditHealth {
      return { buffered: accepted - stored, limit, failing, salvaged, dropped };
    },
    onCommit(listener) {
      commitListeners.push(listener);
    },
    whenStored(done) {
      if (closed || failing || stored === accepted) {
        done();
        return;
      }
      waiters.push({ upTo: accepted, done });
      if (!soon && !failing) {
        soon = true;
        setImmediate(drainLater);
      }
    },
    async flush() {
      await drain();
    },
    async flushWithin(ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        try {
          await drain();
          return;
        } catch (error) {
          const left = deadline - Date.now();
          if (left <= 0) {
            throw new Error(`${accepted - stored} audit records could not be written within ${ms} ms: ${(error as Error).message}`);
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_MS, left)));
        }
      }
    },
    async query({ appid, checkId, limit = DEFAULT_LIMIT }) {
      // Read-your-writes: a caller sees records it wrote a moment ago.
      const pending = drain();
      if (pending) await pending;
      return backend.read(appid, limit, checkId === undefined ? undefined : canonicalCheckId(checkId));
    },
    close() {
      // A synchronous backend that fails to write stays open; once the writes have started, no record may join them.
      const done = drain();
      closed = true;
      release();
      return done as CloseResult<W>;
    },
  };
}
