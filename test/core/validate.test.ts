import { describe, expect, it } from 'vitest';
import { validateFactors } from '../../src/core/validate.ts';
import { INVALID_REASONS } from '../../src/core/outcome.ts';
import { checkCharacter } from '../../src/core/id-number.ts';
import { luhnCheckDigit } from '../../src/core/bank-card.ts';

const NOW = new Date('2025-06-01T04:00:00Z');
const id = (body: string): string => body + checkCharacter(body);
const card = (prefix: string, length: number): string => {
  const body = prefix + '7'.repeat(length - prefix.length - 1);
  return body + luhnCheckDigit(body);
};
const ID = id('31010119900307124');
const CARD = card('622202', 19);

describe('validateFactors', () => {
  it('answers canonical factors and the facts of the ID and the BIN', () => {
    const v = validateFactors('bankcard3', { idNumber: ` ${ID.toLowerCase()} `, name: ' 欧阳•娜娜 ', bankCard: `${CARD.slice(0, 6)} ${CARD.slice(6)}` }, NOW);
    expect(v).toEqual({
      ok: true,
      factors: { idNumber: ID, name: '欧阳·娜娜', bankCard: CARD },
      subject: { sex: 'F', birthDate: '1990-03-07', region: { code: '310101', name: '上海市黄浦区' } },
      card: { bank: { code: 'ICBC', name: '中国工商银行' }, type: 'DC' },
      warnings: [],
    });
  });

  it('validates only the factors of the kind', () => {
    const v = validateFactors('idcard2', { idNumber: ID, name: '张三', bankCard: 'junk' }, NOW);
    expect(v).toMatchObject({ ok: true, factors: { idNumber: ID, name: '张三' } });
    expect(v.ok && v.factors).not.toHaveProperty('bankCard');
    expect(v).not.toHaveProperty('card');
  });

  it('answers the first invalid factor in order: ID number, name, bank card', () => {
    expect(validateFactors('bankcard3', { idNumber: '123', name: '', bankCard: '' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'idNumber', reason: 'length' },
    });
    expect(validateFactors('bankcard3', { idNumber: ID, name: '张3', bankCard: '' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'name', reason: 'charset', position: 2 },
    });
    expect(validateFactors('bankcard3', { idNumber: ID, name: '张三' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'bankCard', reason: 'empty' },
    });
    expect(validateFactors('idcard2', { name: '张三' }, NOW)).toMatchObject({ invalid: { field: 'idNumber', reason: 'empty' } });
  });

  it('carries warnings: UnionPay Luhn failure, legacy 15-digit number', () => {
    const badLuhn = CARD.slice(0, -1) + ((Number(CARD.at(-1)) + 1) % 10);
    const v = validateFactors('bankcard3', { idNumber: '310101900307123', name: '张三', bankCard: badLuhn }, NOW);
    expect(v).toMatchObject({ ok: true, factors: { idNumber: id('31010119900307123') } });
    expect(v.ok && [...v.warnings].sort()).toEqual(['legacy15', 'luhn']);
  });

  it('accepts a Latin-letter name only with a foreigner number', () => {
    const foreigner = id('93184019850714013');
    expect(validateFactors('idcard2', { idNumber: foreigner, name: 'Anna Schmidt' }, NOW)).toMatchObject({ ok: true, factors: { name: 'Anna Schmidt' } });
    expect(validateFactors('idcard2', { idNumber: 'DEU310085071410', name: 'Anna Schmidt' }, NOW)).toMatchObject({ ok: true });
    expect(validateFactors('idcard2', { idNumber: ID, name: 'Anna Schmidt' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'name', reason: 'type' },
    });
  });

  it('uses only reasons of the closed list', () => {
    const samples = [
      { idNumber: '11999919900101001X' },
      { idNumber: id('11010519900230001') },
      { idNumber: ID, name: '·张' },
      { idNumber: ID, name: '张三', bankCard: card('436742', 19).slice(0, -1) + '0' },
    ];
    for (const raw of samples) {
      const v = validateFactors('bankcard3', raw, NOW);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(INVALID_REASONS).toContain(v.invalid.reason);
    }
  });
});

describe('validateFactors for the name-first and phone kinds', () => {
  const PHONE = '13800138000';
  const FOREIGNER = id('93184019850714013');

  it('validates each kind in its vendor field order: the first invalid factor answers', () => {
    // bankcard2: name, bank card.
    expect(validateFactors('bankcard2', { name: '张3', bankCard: '' }, NOW)).toMatchObject({ invalid: { field: 'name' } });
    expect(validateFactors('bankcard2', { name: '张三', bankCard: '123' }, NOW)).toMatchObject({ invalid: { field: 'bankCard' } });
    // bankcard4: name, bank card, phone, ID number — the ID number answers last.
    const broken = { name: '张3', bankCard: '123', phone: '123', idNumber: '123' };
    expect(validateFactors('bankcard4', broken, NOW)).toMatchObject({ invalid: { field: 'name' } });
    expect(validateFactors('bankcard4', { ...broken, name: '张三' }, NOW)).toMatchObject({ invalid: { field: 'bankCard' } });
    expect(validateFactors('bankcard4', { ...broken, name: '张三', bankCard: CARD }, NOW)).toMatchObject({ invalid: { field: 'phone' } });
    expect(validateFactors('bankcard4', { name: '张三', bankCard: CARD, phone: PHONE, idNumber: '123' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'idNumber', reason: 'length' },
    });
    // phone3: ID number, name, phone.
    expect(validateFactors('phone3', { idNumber: '123', name: '张3', phone: '123' }, NOW)).toMatchObject({ invalid: { field: 'idNumber' } });
    expect(validateFactors('phone3', { idNumber: ID, name: '张3', phone: '123' }, NOW)).toMatchObject({ invalid: { field: 'name' } });
    expect(validateFactors('phone3', { idNumber: ID, name: '张三', phone: '12345678901' }, NOW)).toEqual({
      ok: false,
      invalid: { field: 'phone', reason: 'segment', position: 1 },
    });
  });

  it('answers the canonical forms of exactly the kind\'s factors, with the facts of the ID, the BIN and the segment', () => {
    expect(validateFactors('bankcard4', { name: ' 张三 ', bankCard: CARD, phone: '+86 138-0013-8000', idNumber: ID.toLowerCase() }, NOW)).toEqual({
      ok: true,
      factors: { name: '张三', bankCard: CARD, phone: PHONE, idNumber: ID },
      subject: { sex: 'F', birthDate: '1990-03-07', region: { code: '310101', name: '上海市黄浦区' } },
      card: { bank: { code: 'ICBC', name: '中国工商银行' }, type: 'DC' },
      phone: { carrier: '中国移动' },
      warnings: [],
    });
    const two = validateFactors('bankcard2', { name: '张三', bankCard: CARD, idNumber: 'junk', phone: 'junk' }, NOW);
    expect(two).toEqual({ ok: true, factors: { name: '张三', bankCard: CARD }, card: { bank: { code: 'ICBC', name: '中国工商银行' }, type: 'DC' }, warnings: [] });
    const three = validateFactors('phone3', { idNumber: ID, name: '张三', phone: '１３８００１３８０００', bankCard: 'junk' }, NOW);
    expect(three).toMatchObject({ ok: true, factors: { idNumber: ID, name: '张三', phone: PHONE }, phone: { carrier: '中国移动' } });
    expect(three).not.toHaveProperty('card');
  });

  it('judges a Latin-letter name by the ID number even when the name comes first', () => {
    const four = { bankCard: CARD, phone: PHONE };
    expect(validateFactors('bankcard4', { ...four, name: 'Anna Schmidt', idNumber: FOREIGNER }, NOW)).toMatchObject({ ok: true, factors: { name: 'Anna Schmidt' } });
    expect(validateFactors('bankcard4', { ...four, name: 'Anna Schmidt', idNumber: ID }, NOW)).toEqual({ ok: false, invalid: { field: 'name', reason: 'type' } });
    // A broken ID number is its own error, in its own place: it does not make the name's script wrong.
    expect(validateFactors('bankcard4', { ...four, name: 'Anna Schmidt', idNumber: '123' }, NOW)).toEqual({ ok: false, invalid: { field: 'idNumber', reason: 'length' } });
    // Without an ID number nothing ties the script to a document.
    expect(validateFactors('bankcard2', { name: 'Anna Schmidt', bankCard: CARD }, NOW)).toMatchObject({ ok: true, factors: { name: 'Anna Schmidt' } });
    expect(validateFactors('bankcard2', { name: 'Anna 3', bankCard: CARD }, NOW)).toMatchObject({ ok: false, invalid: { field: 'name', reason: 'charset' } });
  });
});
