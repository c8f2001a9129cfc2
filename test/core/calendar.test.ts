import { describe, expect, it } from 'vitest';
import { addDays, calendarDay, dayOf, isTimeZone, monthBounds, startOfDay } from '../../src/core/calendar.ts';
import { retentionCutoff } from '../../src/audit/retention.ts';
import { createDailyLimits } from '../../src/service/daily.ts';
import type { DailyCounter, DailyKey } from '../../src/store/types.ts';
import type { App } from '../../src/store/types.ts';

describe('calendar days in a time zone', () => {
  it('puts an instant in its zone\'s day: 16:30 UTC is already tomorrow in Shanghai', () => {
    const t = Date.parse('2026-12-01T16:30:00Z');
    expect(dayOf(t, 'Asia/Shanghai')).toBe('2026-12-02');
    expect(dayOf(t, 'UTC')).toBe('2026-12-01');
    expect(dayOf(t, 'America/Los_Angeles')).toBe('2026-12-01');
  });

  it('starts a day at its zone\'s midnight, daylight saving included', () => {
    expect(startOfDay('2026-12-02', 'Asia/Shanghai')).toBe(Date.parse('2026-12-01T16:00:00Z'));
    // New York springs forward on 2026-03-08: that day starts at 05:00 UTC, the next at 04:00.
    expect(startOfDay('2026-03-08', 'America/New_York')).toBe(Date.parse('2026-03-08T05:00:00Z'));
    expect(startOfDay('2026-03-09', 'America/New_York')).toBe(Date.parse('2026-03-09T04:00:00Z'));
    expect(startOfDay('2026-06-15', 'Asia/Kathmandu')).toBe(Date.parse('2026-06-14T18:15:00Z'));
  });

  it('bounds a month and counts days across month and year ends', () => {
    expect(monthBounds('2026-12', 'Asia/Shanghai')).toEqual({ since: Date.parse('2026-11-30T16:00:00Z'), until: Date.parse('2026-12-31T16:00:00Z') });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('keeps retention by calendar days: the cutoff is the start of the day that many days ago', () => {
    const now = Date.parse('2026-12-01T16:30:00Z'); // 2026-12-02 00:30 in Shanghai
    expect(retentionCutoff(now, 365, 'Asia/Shanghai')).toBe(Date.parse('2025-12-01T16:00:00Z'));
    expect(retentionCutoff(now, 1, 'UTC')).toBe(Date.parse('2026-11-30T00:00:00Z'));
  });

  it('a cached day follows the clock across midnight', () => {
    const day = calendarDay('Asia/Shanghai');
    expect(day(Date.parse('2026-12-01T15:59:59.999Z'))).toBe('2026-12-01');
    expect(day(Date.parse('2026-12-01T16:00:00Z'))).toBe('2026-12-02');
    expect(day(Date.parse('2026-11-01T00:00:00Z'))).toBe('2026-11-01');
  });

  it('daily limits count the day of the zone they are given', async () => {
    const days: number[] = [];
    const counter: DailyCounter = {
      async take(day: number, _keys: readonly DailyKey[]) {
        days.push(day);
        return true;
      },
      async release() {},
    };
    const app = { appid: '1', dailyPerId: 5, dailyPerName: null } as App;
    const t = Date.parse('2026-12-01T20:00:00Z');
    await createDailyLimits(counter, Buffer.alloc(32), calendarDay('UTC')).take(app, 'idcard2', { idNumber: '11010519491231002X', name: '张三' }, t);
    await createDailyLimits(counter, Buffer.alloc(32), calendarDay('Asia/Shanghai')).take(app, 'idcard2', { idNumber: '11010519491231002X', name: '张三' }, t);
    expect(days).toEqual([20261201, 20261202]);
  });
});
