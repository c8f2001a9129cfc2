import { canonicalCheckId } from '../core/check-id.ts';
import { defaultLogger, type Logger } from '../log.ts';
import type { AuditRecord, AuditSink } from './types.ts';

/** A flush starts at once when this many records wait; otherwise AUDIT_FLUSH_MS after the first one. */
export const AUDIT_BATCH = 512;
/**
 * How long a record may wait for its batch: a busy node writes tens of records a commit instead of the
 * few one event-loop turn holds. It is also how much a kill -9 can lose; close() and SIGTERM lose nothing.
 */
export const AUDIT_FLUSH_MS = 5;
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
}

export interface BufferedAuditSink<W extends Done> extends Omit<AuditSink, 'onBilled'> {
  /** Writes what is buffered and stops accepting records. */
  close(): CloseResult<W>;
}

/**
 * The batched audit sink every durable backend shares: `write` only buffers, a flush runs
 * AUDIT_FLUSH_MS later (or at once at AUDIT_BATCH), a failed batch is retried and never
 * lost, `query` reads its own writes, and `close` writes what is left. The backend says only how
 * to write one batch and how to read.
 */
export function createBufferedAudit<W extends Done>(backend: AuditBackend<W>, logger: Logger = defaultLogger()): BufferedAuditSink<W> {
  let buffer: AuditRecord[] = [];
  let scheduled = false;
  let closed = false;
  // The asynchronous batch being written: batches go one after another, so write order is kept.
  let writing: Promise<void> | undefined;

  // Synchronous while the backend is: SQLite's close must have written everything when it returns.
  const drain = (): Done => {
    if (writing) return writing.catch(() => undefined).then(drain);
    while (buffer.length > 0) {
      const batch = buffer.splice(0, AUDIT_BATCH);
      // Nothing is lost: a failed batch goes back in front of anything written meanwhile.
      const putBack = () => {
        buffer = batch.concat(buffer);
      };
      let done: Done;
      try {
        done = backend.writeBatch(batch);
      } catch (err) {
        putBack();
        throw err;
      }
      if (done) {
        const current: Promise<void> = done.then(
          () => {
            writing = undefined;
          },
          (err: unknown) => {
            writing = undefined;
            putBack();
            throw err;
          },
        );
        writing = current;
        return current.then(drain);
      }
    }
  };
  const retry = (err: unknown) => {
    logger.error({ records: buffer.length, error: (err as Error).message }, 'audit: writing records failed, retrying');
    if (scheduled) return;
    scheduled = true;
    setTimeout(drainLater, RETRY_MS).unref();
  };
  const drainLater = () => {
    scheduled = false;
    try {
      drain()?.catch(retry);
    } catch (err) {
      retry(err);
    }
  };

  return {
    write(record) {
      if (closed) throw new Error('audit sink is closed');
      buffer.push(record);
      if (buffer.length >= AUDIT_BATCH) drainLater();
      else if (!scheduled) {
        scheduled = true;
        setTimeout(drainLater, AUDIT_FLUSH_MS);
      }
    },
    async flush() {
      await drain();
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
      return done as CloseResult<W>;
    },
  };
}
