import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../../../src/access/refusal.ts';
import type { Factor } from '../../../src/core/factors.ts';
import { INVALID_REASONS, type Outcome } from '../../../src/core/outcome.ts';
import { CODE_TABLE } from '../../../src/protocols/submail/codes.ts';
import { outcomeError, presentRefusal, REFUSAL_CODES } from '../../../src/dialects/submail/present.ts';
import { maskIdNumber, maskName } from '../../../src/dialects/submail/present.ts';

const CODES = new Set<string>(CODE_TABLE.map((r) => r.code));
const FACTORS: Factor[] = ['idNumber', 'name', 'bankCard', 'phone'];

describe('the SUBMAIL code table', () => {
  it('has unique codes, each with a message and a meaning', () => {
    expect(CODES.size).toBe(CODE_TABLE.length);
    for (const row of CODE_TABLE) {
      expect(row.code).toMatch(/^\d{4}$/);
      expect(row.message.length).toBeGreaterThan(0);
      expect(row.meaning.length).toBeGreaterThan(0);
    }
  });

  it('maps every refusal of the access layer to a row', () => {
    for (const refusal of REFUSALS) {
      const answer = presentRefusal(refusal);
      expect(CODES.has(answer.code)).toBe(true);
      expect(answer.msg).toBe(CODE_TABLE.find((r) => r.code === answer.code)?.message);
    }
    expect(presentRefusal('appid_missing')).toEqual({ code: '1210', msg: 'Empty APP ID' });
    expect(Object.keys(REFUSAL_CODES)).toHaveLength(REFUSALS.length);
  });

  it('maps every invalid field × reason (type and segment included) to a row', () => {
    const expected: Record<Factor, string> = { idNumber: '1215', name: '1222', bankCard: '1242', phone: '1209' };
    for (const field of FACTORS) {
      for (const reason of INVALID_REASONS) {
        const answer = outcomeError({ checkId: 'c', kind: 'idcard2', verdict: 'invalid', invalid: { field, reason }, source: 'validation', billed: false });
        expect(answer?.code).toBe(expected[field]);
      }
    }
  });

  it('answers verdicts with a body and unavailable sources with 1223', () => {
    for (const verdict of ['match', 'mismatch', 'not_found'] as const) {
      expect(outcomeError({ checkId: 'c', kind: 'idcard2', verdict, source: 's', billed: true } as Outcome)).toBeUndefined();
    }
    for (const unavailable of ['error', 'unreachable'] as const) {
      expect(outcomeError({ checkId: 'c', kind: 'bankcard3', verdict: 'unavailable', unavailable, source: 's', billed: false })?.code).toBe('1223');
    }
  });

  it('is the table the README carries', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const block = readme.split('<!-- codes:submail -->')[1]?.split('<!-- /codes:submail -->')[0] ?? '';
    for (const row of CODE_TABLE) expect(block).toContain(`| ${row.code} | ${row.message} | ${row.meaning.replace(/\|/g, '\\|')} |`);
  });
});

describe('masking as the vendor echoes', () => {
  it('keeps the first and last four digits of an ID number, an x for each one between', () => {
    expect(maskIdNumber('310101199601110011')).toBe('3101xxxxxxxxxx0011');
    expect(maskIdNumber('310101960111003')).toBe('3101xxxxxxx1003');
    expect(maskIdNumber('12345678')).toBe('xxxxxxxx');
  });

  it('keeps the first character of a name and adds xx whatever the length', () => {
    expect(maskName('张三')).toBe('张xx');
    expect(maskName('欧阳娜娜')).toBe('欧xx');
    expect(maskName('阿卜杜·热合曼')).toBe('阿xx');
    expect(maskName('𠀀一')).toBe('𠀀xx');
    expect(maskName('')).toBe('');
  });
});
