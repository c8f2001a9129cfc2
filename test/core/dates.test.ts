import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatYmd, shanghaiToday, ymdFromDays } from '../../src/core/dates.ts';

const shanghaiDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

describe('dates', () => {
  it('formats every day from 1790 to 2210 as YYYY-MM-DD, the second time as the first', () => {
    const wrong: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (let day = -65_000; day < 88_000; day++) {
        const ymd = ymdFromDays(day);
        const s = String(ymd);
        if (formatYmd(ymd) !== `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`) wrong.push(ymd);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('formats numbers outside the calendar as before, zero-padded', () => {
    expect(formatYmd(18000132)).toBe('1800-01-32');
    expect(formatYmd(19991300)).toBe('1999-13-00');
    expect(formatYmd(10101)).toBe('0001-01-01');
    expect(formatYmd(22000101)).toBe('2200-01-01');
  });

  it('knows today in Asia/Shanghai whatever order the instants come in', () => {
    // From 1992: China observed summer time until 1991, which "today" (a present-day instant) never meets.
    const instant = fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 8 }), (times) => {
        for (const t of times) expect(String(shanghaiToday(new Date(t)))).toBe(shanghaiDate.format(t).replaceAll('-', ''));
      }),
      { numRuns: 2_000 },
    );
    const midnight = Date.UTC(2025, 2, 1, 16);
    expect([shanghaiToday(new Date(midnight - 1)), shanghaiToday(new Date(midnight)), shanghaiToday(new Date(midnight - 1))]).toEqual([20250301, 20250302, 20250301]);
  });
});
