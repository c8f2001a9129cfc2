import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalWindow, MAX_LATE_MS } from '../../src/access/counters/local-window.ts';

/** Every 1000 ms window of the admitted instants holds at most `limit`. */
function worstWindow(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe('the local sliding window', () => {
  it('never lets any 1000 ms hold more than the limit, arrivals late or not, and admits what fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 700 })), { maxLength: 200 }),
        (limit, steps) => {
          const w = new LocalWindow();
          const admitted: number[] = [];
          let clock = 0;
          for (const [advance, late] of steps) {
            clock += advance;
            const at = clock - late;
            if (w.admit(limit, at)) admitted.push(Math.max(at, Math.max(...admitted, -Infinity) - MAX_LATE_MS));
          }
          expect(worstWindow(admitted)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('admits the limit in a second, then again once the oldest left', () => {
    const w = new LocalWindow();
    for (let i = 0; i < 5; i++) expect(w.admit(5, 1000 + i)).toBe(true);
    expect(w.admit(5, 1999)).toBe(false);
    expect(w.admit(5, 2000)).toBe(true);
    // A late arrival inside a full window is refused; one whose every window has room is admitted.
    expect(w.admit(5, 1500)).toBe(false);
    expect(w.admit(5, 2001)).toBe(true);
    expect(w.refused).toBe(2);
    expect(w.admitted).toBe(7);
  });
});
