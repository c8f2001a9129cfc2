import { describe, expect, it } from 'vitest';
import { formatInspect, inspect } from '../../src/cli/inspect.ts';
import { checkCharacter } from '../../src/core/id-number.ts';
import { luhnCheckDigit, luhnValid } from '../../src/core/bank-card.ts';

const NOW = new Date('2025-06-01T04:00:00Z');
const id = (body: string): string => body + checkCharacter(body);
const card = (prefix: string, length: number): string => {
  const body = prefix + '5'.repeat(length - prefix.length - 1);
  return body + luhnCheckDigit(body);
};

describe('inspect', () => {
  it('reads an ID number and reports its facts', () => {
    const report = inspect(id('11010319800101002'), undefined, NOW);
    expect(report).toEqual({
      kind: 'idNumber',
      valid: true,
      normalized: id('11010319800101002'),
      warnings: [],
      type: 'resident',
      sex: 'F',
      birthDate: '1980-01-01',
      age: 45,
      region: { code: '110103', province: '北京市', prefecture: null, county: '崇文区', name: '北京市崇文区', abolished: true, successors: ['110101'] },
    });
    const text = formatInspect(report);
    expect(text).toContain('ID number: valid');
    expect(text).toContain('110103 北京市崇文区, abolished, now 110101');
    expect(text).toContain('1980-01-01 (age 45)');
  });

  it('guesses the kind: 15/18 characters passing the ID checks, 11 digits starting with 1 or +86, else a card', () => {
    expect(inspect('110103800101002', undefined, NOW)).toMatchObject({ kind: 'idNumber', valid: true, warnings: ['legacy15'] });
    expect(inspect('13800138000', undefined, NOW)).toMatchObject({ kind: 'phone', valid: true, normalized: '13800138000', type: 'mobile', carrier: '中国移动' });
    expect(inspect('+86 12012345678', undefined, NOW)).toMatchObject({ kind: 'phone', valid: false, reason: 'segment' });
    expect(inspect(card('622202', 19), undefined, NOW)).toMatchObject({ kind: 'bankCard', valid: true, bank: { code: 'ICBC', name: '中国工商银行' }, cardType: 'DC' });
  });

  it('reports a mistyped ID number as an ID number, with the reason', () => {
    // A wrong last digit that is no Luhn-valid card number either.
    const valid = id('11010319800101002');
    const typo = [...'0123456789'].map((d) => valid.slice(0, -1) + d).find((n) => n !== valid && !luhnValid(n))!;
    const report = inspect(typo, undefined, NOW);
    expect(report).toMatchObject({ kind: 'idNumber', valid: false, reason: 'checksum', position: 18 });
    expect(formatInspect(report)).toContain('reason      checksum');
  });

  it('follows an explicit kind', () => {
    expect(inspect('13800138000', 'bankCard', NOW)).toMatchObject({ kind: 'bankCard', valid: false, reason: 'length' });
    expect(inspect(card('622202', 16), 'bankCard', NOW)).toMatchObject({ valid: false, reason: 'length', expectedLengths: [19] });
  });

  it('shows a UnionPay Luhn failure as a warning on a valid card', () => {
    const n = card('622202', 19);
    const report = inspect(n.slice(0, -1) + ((Number(n.at(-1)) + 1) % 10), undefined, NOW);
    expect(report).toMatchObject({ kind: 'bankCard', valid: true, warnings: ['luhn'] });
    expect(formatInspect(report)).toContain('warning');
  });

  it('says when a valid card\'s BIN is not in the table', () => {
    const visa = card('411111', 16);
    const report = inspect(visa, undefined, NOW);
    expect(report).toMatchObject({ kind: 'bankCard', valid: true, warnings: ['binUnknown'] });
    expect(report.bank).toBeUndefined();
    expect(formatInspect(report)).toContain('warning     BIN 411111 is not in the BIN table: the issuing bank is unknown');
    expect(inspect(card('622202', 19), undefined, NOW).warnings).not.toContain('binUnknown');
  });

  it('says when a phone\'s segment is assigned to no carrier, valid or not', () => {
    // libphonenumber accepts 1610…, the carrier table has no 161
    const unassigned = inspect('16101234567', 'phone', NOW);
    expect(unassigned).toMatchObject({ valid: true, segment: '161', warnings: ['segmentUnassigned'] });
    expect(unassigned.carrier).toBeUndefined();
    expect(formatInspect(unassigned)).toContain('warning     segment 161 is assigned to no carrier in the table');
    const invalid = inspect('12012345678', 'phone', NOW);
    expect(invalid).toMatchObject({ valid: false, reason: 'segment', segment: '120' });
    expect(formatInspect(invalid)).toContain('reason      segment: segment 120 is assigned to no carrier');
    expect(inspect('13800138000', 'phone', NOW)).not.toHaveProperty('segment');
  });
});
