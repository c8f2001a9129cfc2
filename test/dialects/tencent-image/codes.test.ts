import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../../../src/access/refusal.ts';
import { INVALID_REASONS, type Outcome } from '../../../src/core/outcome.ts';
import { CODE_TABLE } from '../../../src/protocols/tencent-image/codes.ts';
import { INVALID_CODES, presentOutcome, presentRefusal, REFUSAL_CODES } from '../../../src/dialects/tencent-image/present.ts';

const base: Outcome = { checkId: 'c', kind: 'bankcard3', verdict: 'match', source: 'test', billed: true };
const codeOf = (o: Partial<Outcome>) => presentOutcome({ ...base, ...o } as Outcome).code;

describe('the code table', () => {
  it('has each code once, each with a Chinese or vendor message', () => {
    const codes = CODE_TABLE.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const row of CODE_TABLE) expect(row.message.length).toBeGreaterThan(0);
  });

  it('gives every refusal of the access layer a code from the table', () => {
    const codes = new Set<number>(CODE_TABLE.map((r) => r.code));
    for (const refusal of REFUSALS) {
      expect(codes.has(REFUSAL_CODES[refusal]), refusal).toBe(true);
      expect(presentRefusal(refusal).message).toBe(CODE_TABLE.find((r) => r.code === REFUSAL_CODES[refusal])?.message);
    }
  });

  it('maps every verdict, and every invalid field and reason, to a code in the table', () => {
    const codes = new Set<number>(CODE_TABLE.map((r) => r.code));
    for (const field of Object.keys(INVALID_CODES) as (keyof typeof INVALID_CODES)[]) {
      for (const reason of INVALID_REASONS) expect(codes.has(codeOf({ verdict: 'invalid', invalid: { field, reason } }))).toBe(true);
    }
  });

  it('leaves no row of the table unreachable', () => {
    const reached = new Set<number>(Object.values(REFUSAL_CODES));
    const outcomes: Partial<Outcome>[] = [
      { verdict: 'match' },
      { verdict: 'not_found' },
      { verdict: 'mismatch', mismatched: ['name'] },
      { verdict: 'mismatch', mismatched: ['bankCard'] },
      { verdict: 'invalid', invalid: { field: 'idNumber', reason: 'checksum' } },
      { verdict: 'invalid', invalid: { field: 'idNumber', reason: 'length' } },
      { verdict: 'invalid', invalid: { field: 'bankCard', reason: 'luhn' } },
      { verdict: 'unavailable', unavailable: 'error' },
      { verdict: 'unavailable', unavailable: 'unreachable' },
    ];
    for (const o of outcomes) reached.add(codeOf(o));
    expect([...reached].sort()).toEqual(CODE_TABLE.map((r) => r.code).sort());
  });
});

describe('outcomes', () => {
  it.each([
    [{ verdict: 'match' }, 0],
    [{ verdict: 'not_found' }, -5807],
    [{ verdict: 'mismatch', mismatched: ['name'] }, -5803],
    [{ verdict: 'mismatch', mismatched: ['idNumber'] }, -5803],
    [{ verdict: 'mismatch' }, -5803],
    [{ verdict: 'mismatch', mismatched: ['bankCard'] }, -5809],
    [{ verdict: 'mismatch', mismatched: ['name', 'bankCard'] }, -5803],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'checksum' } }, -5804],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'region' } }, -5804],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'birthDate' } }, -5804],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'length' } }, -5806],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'charset' } }, -5806],
    [{ verdict: 'invalid', invalid: { field: 'name', reason: 'charset' } }, -5806],
    [{ verdict: 'invalid', invalid: { field: 'name', reason: 'empty' } }, -5806],
    [{ verdict: 'invalid', invalid: { field: 'bankCard', reason: 'luhn' } }, -5808],
    [{ verdict: 'invalid', invalid: { field: 'bankCard', reason: 'length' } }, -5808],
    [{ verdict: 'unavailable', unavailable: 'error' }, 107],
    [{ verdict: 'unavailable', unavailable: 'unreachable' }, 108],
  ] as [Partial<Outcome>, number][])('%j → %i', (o, code) => {
    expect(codeOf(o)).toBe(code);
  });

  it('answers the suspended app with the vendor arrears message', () => {
    expect(presentRefusal('suspended')).toEqual({ code: 3, message: 'account abnormal,errorno is:2' });
  });
});
