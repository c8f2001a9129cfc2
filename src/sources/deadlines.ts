import type { Call } from './call.ts';
import { SourceFailure } from './types.ts';

/** One call waiting for its work. */
class Pending {
  settled = false;
  constructor(
    readonly at: number,
    readonly reject: (error: unknown) => void,
    readonly call: Call | undefined,
  ) {}
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
        // Past the limit after the request left, the vendor may have answered (and billed) all the same.
        const failure = new SourceFailure('unreachable', `no answer within ${ms} ms`, { ambiguous: p.call?.wasSent === true });
        // The source is told to stop: an upstream request still in flight is cancelled, not left to run.
        p.call?.abort(failure);
        p.reject(failure);
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

  /** The work's result, or a SourceFailure('unreachable') once `ms` have passed without one (and `call` aborted). */
  return function within<T>(work: Promise<T>, call?: Call): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = new Pending(now() + ms, reject, call);
      work.then(
        (value) => {
          if (pending.settled) return;
          pending.settled = true;
          trim();
          resolve(value);
        },
        (error: unknown) => {
          if (pending.settled) return;
          pending.settled = true;
          trim();
          reject(error);
        },
      );
      queue.push(pending);
      arm();
    });
  };
}
