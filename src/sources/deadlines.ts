import { SourceFailure } from './types.ts';

interface Pending {
  at: number;
  settled: boolean;
  expire: () => void;
}

/**
 * One time limit for many concurrent calls, kept with a single timer. Every call gets the same limit,
 * so deadlines come in call order and a FIFO queue is already sorted. A call that settles is dropped
 * from the front as soon as it is there, so an answering source leaves nothing behind to age in the
 * heap; a timer and a Promise.race per call cost a check several objects and two list operations.
 */
export function createDeadlines(ms: number, now: () => number = () => performance.now()) {
  const queue: Pending[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;

  const trim = () => {
    while (head < queue.length && queue[head]!.settled) head++;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024) {
      queue.splice(0, head);
      head = 0;
    }
  };
  const fire = () => {
    timer = undefined;
    const t = now();
    for (; head < queue.length && queue[head]!.at <= t; head++) {
      const p = queue[head]!;
      if (!p.settled) {
        p.settled = true;
        p.expire();
      }
    }
    trim();
    arm();
  };
  const arm = () => {
    if (timer !== undefined || head === queue.length) return;
    // Unref'd: the work itself keeps the process alive while it runs; a deadline alone must not.
    timer = setTimeout(fire, Math.max(0, queue[head]!.at - now())).unref();
  };

  /** The work's result, or a SourceFailure('unreachable') once `ms` have passed without one. */
  return function within<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        at: now() + ms,
        settled: false,
        expire: () => reject(new SourceFailure('unreachable', `no answer within ${ms} ms`)),
      };
      const settle = () => {
        pending.settled = true;
        trim();
      };
      work.then(
        (value) => {
          if (pending.settled) return;
          settle();
          resolve(value);
        },
        (error: unknown) => {
          if (pending.settled) return;
          settle();
          reject(error);
        },
      );
      queue.push(pending);
      arm();
    });
  };
}
