import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createDeadlines } from '../../src/sources/deadlines.ts';
import { SourceFailure } from '../../src/sources/types.ts';

const after = <T>(ms: number, value: T) => sleep(ms).then(() => value);
const never = () => new Promise<never>(() => {});
const outcome = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ failure: error instanceof SourceFailure ? error.failure : String(error) }),
  );

describe('deadlines', () => {
  it('gives each call its own time from when it started, with one shared limit', async () => {
    const within = createDeadlines(60);
    const first = outcome(within(never()));
    await sleep(30);
    // Started 30 ms later, answers at ~75 ms: inside its own 60 ms though past the first call's deadline.
    const second = outcome(within(after(45, 'late but in time')));
    const third = outcome(within(after(5, 'quick')));
    expect(await third).toEqual({ value: 'quick' });
    expect(await first).toEqual({ failure: 'unreachable' });
    expect(await second).toEqual({ value: 'late but in time' });
  });

  it('expires a call that answers too late, and passes on a source\'s own failure', async () => {
    const within = createDeadlines(20);
    const started = performance.now();
    expect(await outcome(within(after(60, 'too late')))).toEqual({ failure: 'unreachable' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    expect(await outcome(within(Promise.reject(new SourceFailure('error', 'HTTP 500'))))).toEqual({ failure: 'error' });
  });

  it('keeps expiring hanging calls among many that answer', async () => {
    const within = createDeadlines(25);
    const calls = Array.from({ length: 300 }, (_, i) => outcome(within(i % 100 === 7 ? never() : after(i % 10, i))));
    const results = await Promise.all(calls);
    expect(results.filter((r) => 'failure' in r)).toHaveLength(3);
    expect(results.filter((r) => 'value' in r)).toHaveLength(297);
    // A later round still gets its deadline: the timer was re-armed after the queue emptied.
    expect(await outcome(within(never()))).toEqual({ failure: 'unreachable' });
  });
});
