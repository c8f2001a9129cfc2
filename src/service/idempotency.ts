import { createHmac } from 'node:crypto';
import type { Sealer } from '../keys/ring.ts';
import type { IdempotencyStore } from '../store/types.ts';

/** How a keyed request was answered: afresh, as the first answer again, or not at all. */
export type Idempotent<T> =
  | { kind: 'first'; value: T }
  | { kind: 'replay'; value: T }
  /** The key was used with another request. */
  | { kind: 'conflict' }
  /** Another process still answers the first request after `waitMs`. */
  | { kind: 'busy' };

export interface Idempotency {
  /**
   * Runs `answer` once per app and key: a retry (or a request sent alongside) gets the first answer.
   * Only answers `keep` accepts are kept (a refusal a retry may overcome — rate, quota, no source — is not).
   */
  run<T>(appid: string, key: string, request: Buffer, answer: () => Promise<T>, keep: (value: T) => boolean): Promise<Idempotent<T>>;
}

export interface IdempotencyOptions {
  /** How long a first answer is kept (default 24 h). */
  retentionMs?: number;
  /** How long a claim waits for its answer before another request may take it over (default 30 s). */
  answerMs?: number;
  /** How long a request waits for another process's first answer (default 10 s). */
  waitMs?: number;
  /** Between two looks at another process's claim (default 25 ms). */
  pollMs?: number;
}

const PURGE_EVERY = 256;

/**
 * Idempotency keys over the store's claims (exact across processes) and, within the process, one promise
 * per key in flight, so parallel retries wait for the first answer instead of polling. Keys and requests
 * reach the store as keyed hashes; answers sealed under the key ring.
 */
export function createIdempotency(store: IdempotencyStore, sealer: Sealer, hashKey: Buffer, clock: () => number, options: IdempotencyOptions = {}): Idempotency {
  const retentionMs = options.retentionMs ?? 24 * 3600_000;
  const answerMs = options.answerMs ?? 30_000;
  const waitMs = options.waitMs ?? 10_000;
  const pollMs = options.pollMs ?? 25;
  const inFlight = new Map<string, Promise<Idempotent<unknown>>>();
  const mac = (label: string, data: string | Buffer) => createHmac('sha256', hashKey).update(label).update(data).digest('hex');
  let calls = 0;

  async function once<T>(scope: string, key: string, requestHash: string, answer: () => Promise<T>, keep: (value: T) => boolean): Promise<Idempotent<T>> {
    const deadline = clock() + waitMs;
    for (;;) {
      const claim = await store.claim(scope, key, requestHash, answerMs, clock());
      if (claim.claimed) {
        let value: T;
        try {
          value = await answer();
        } catch (error) {
          await store.abandon(scope, key);
          throw error;
        }
        if (keep(value)) await store.settle(scope, key, sealer.seal(JSON.stringify(value)), clock() + retentionMs);
        else await store.abandon(scope, key);
        return { kind: 'first', value };
      }
      if (claim.requestHash !== requestHash) return { kind: 'conflict' };
      if (claim.sealed !== null) return { kind: 'replay', value: JSON.parse(sealer.open(claim.sealed)) as T };
      if (clock() >= deadline) return { kind: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  return {
    async run(appid, idempotencyKey, request, answer, keep) {
      if (++calls % PURGE_EVERY === 0) void store.purge(clock()).catch(() => undefined);
      const key = mac('key\u0000', idempotencyKey);
      const requestHash = mac('request\u0000', request);
      const local = `${appid}\u0000${key}`;
      const pending = inFlight.get(local);
      if (pending) {
        // Sent alongside the first in this process: once the first has answered, the store says what it was.
        await pending.catch(() => undefined);
        return once(appid, key, requestHash, answer, keep);
      }
      const run = once(appid, key, requestHash, answer, keep);
      inFlight.set(local, run);
      try {
        return await run;
      } finally {
        if (inFlight.get(local) === run) inFlight.delete(local);
      }
    },
  };
}
