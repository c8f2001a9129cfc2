import { describe, expect, it } from 'vitest';
import { overview } from '../../src/console/overview.ts';
import type { AuditRecord, AuditTally } from '../../src/store/types.ts';

const now = Date.parse('2026-12-01T08:30:20Z'); // 16:30 in Shanghai

function record(at: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return { checkId: 'a'.repeat(32), at, appid: '1250000001', dialect: 'tencent-image', kind: 'idcard2', verdict: 'match', refusal: null, code: '0', masked: {}, source: 'registry', billed: true, latencyMs: 2, ...over };
}

const slot = (iso: string, over: Partial<AuditTally>): AuditTally => ({ appid: '1250000001', dialect: 'submail', kind: 'idcard2', source: 'registry', slot: Date.parse(iso), billed: 0, unbilled: 0, refused: 0, ...over });

describe('the overview', () => {
  const recent = [
    record(now - 5_000, { latencyMs: 100 }),
    record(now - 10_000, { verdict: 'mismatch', latencyMs: 4 }),
    record(now - 70_000, { dialect: 'submail', verdict: null, refusal: 'suspended', code: '3', billed: false, latencyMs: 0.1 }),
    record(now - 2 * 3600_000, { latencyMs: 3 }),
    record(now - 25 * 3600_000), // older than a day: in no chart of the last 24 hours
  ];
  const tally = [
    slot('2026-12-01T01:00:00Z', { billed: 3, refused: 1 }), // 09:00 in Shanghai: today
    slot('2026-11-30T15:45:00Z', { billed: 2, unbilled: 1 }), // 23:45 in Shanghai: yesterday
    slot('2026-11-30T16:00:00Z', { billed: 5 }), // 00:00 in Shanghai: today
  ];
  const o = overview({ recent, limit: 100, tally, sources: [], now, timeZone: 'Asia/Shanghai' });

  it('counts the last minute, hour and day by verdict (refusals apart) and by dialect; latency of answers only, by nearest rank', () => {
    expect(o.minutes).toHaveLength(60);
    expect(o.minutes.at(-1)).toMatchObject({ total: 2, byOutcome: { match: 1, mismatch: 1 }, byDialect: { 'tencent-image': 2 } });
    expect(o.minutes.at(-2)).toMatchObject({ total: 1, byOutcome: { refused: 1 }, byDialect: { submail: 1 } });
    expect(o.hours).toHaveLength(24);
    expect(o.hours.at(-1)!.total).toBe(3);
    expect(o.hours.at(-3)!.total).toBe(1);
    expect(o.hours.reduce((n, b) => n + b.total, 0)).toBe(4);
    expect(o.last24h).toEqual({ checks: 4, billed: 3, refused: 1, p50Ms: 4, p99Ms: 100, refusals: { suspended: 1 } });
    expect(o.complete).toBe(true);
  });

  it('counts calendar days in the time zone from the tally: billed, unbilled and refused', () => {
    expect(o.days).toHaveLength(30);
    expect(new Date(o.days.at(-1)!.start).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(o.days.at(-1)).toMatchObject({ total: 9, byOutcome: { billed: 8, refused: 1 } });
    expect(o.days.at(-2)).toMatchObject({ total: 3, byOutcome: { billed: 2, unbilled: 1 }, byDialect: { submail: 3 } });
  });

  it('says when it read as many records as it may (older ones then go uncounted)', () => {
    expect(overview({ recent: recent.slice(0, 2), limit: 2, tally: [], sources: [], now, timeZone: 'Asia/Shanghai' }).complete).toBe(false);
  });
});
