import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalBankCard, luhnCheckDigit, luhnValid, validateBankCard } from '../../src/core/bank-card.ts';

/** A Luhn-valid number of `length` digits starting with `prefix`. */
const card = (prefix: string, length: number, fill = '3'): string => {
  const body = prefix + fill.repeat(length - prefix.length - 1);
  return body + luhnCheckDigit(body);
};
const breakLuhn = (n: string): string => n.slice(0, -1) + ((Number(n.at(-1)) + 1) % 10);

describe('bank cards', () => {
  it('finds bank and card type by the longest BIN prefix', () => {
    const icbc = card('622202', 19);
    expect(validateBankCard(icbc)).toEqual({ ok: true, bankCard: icbc, bank: { code: 'ICBC', name: '中国工商银行' }, type: 'DC', luhnWarning: false });
    expect(validateBankCard(card('356390', 16))).toMatchObject({ ok: true, bank: { code: 'CITIC' }, type: 'CC' });
    expect(validateBankCard(card('9558', 19))).toMatchObject({ ok: true, bank: { code: 'ICBC' } });
  });

  it('tells apart banks sharing a BIN by the card length', () => {
    expect(validateBankCard(card('621260', 16))).toMatchObject({ ok: true, bank: { code: 'SPABANK' }, type: 'CC' });
    expect(validateBankCard(card('621260', 19))).toMatchObject({ ok: true, bank: { code: 'CSRCB' }, type: 'DC' });
  });

  it('rejects a length the BIN table does not list for that BIN', () => {
    expect(validateBankCard(card('622202', 16))).toEqual({
      ok: false,
      invalid: { field: 'bankCard', reason: 'length' },
      expectedLengths: [19],
    });
  });

  it('without a known BIN accepts 15–19 digits only', () => {
    expect(validateBankCard(card('8888', 15))).toMatchObject({ ok: true, luhnWarning: false });
    expect(validateBankCard(card('8888', 16))).not.toHaveProperty('bank');
    expect(validateBankCard(card('8888', 19)).ok).toBe(true);
    expect(validateBankCard(card('8888', 14))).toMatchObject({ invalid: { reason: 'length' } });
    expect(validateBankCard(card('8888', 20))).toMatchObject({ invalid: { reason: 'length' } });
  });

  it('enforces Luhn except for domestic UnionPay cards, where a failure is a warning', () => {
    expect(validateBankCard(breakLuhn(card('436742', 19)))).toMatchObject({ ok: false, invalid: { reason: 'luhn', position: 19 } });
    expect(validateBankCard(breakLuhn(card('8888', 16)))).toMatchObject({ invalid: { reason: 'luhn' } });
    const unionPay = breakLuhn(card('622202', 19));
    expect(validateBankCard(unionPay)).toMatchObject({ ok: true, bankCard: unionPay, bank: { code: 'ICBC' }, luhnWarning: true });
  });

  it('drops spaces and hyphens, and rejects other characters with their position', () => {
    const n = card('622588', 16);
    const spaced = `${n.slice(0, 4)} ${n.slice(4, 8)}-${n.slice(8, 12)}\u3000${n.slice(12)}`;
    expect(canonicalBankCard(spaced)).toBe(n);
    expect(validateBankCard(spaced)).toMatchObject({ ok: true, bankCard: n, bank: { code: 'CMB' } });
    expect(validateBankCard('6225 88a0 0000 0000')).toMatchObject({ invalid: { reason: 'charset', position: 7 } });
    expect(validateBankCard(' - ')).toMatchObject({ invalid: { reason: 'empty' } });
    expect(validateBankCard(undefined)).toMatchObject({ invalid: { reason: 'empty' } });
  });

  it('Luhn check digits are what Luhn accepts, and one changed digit breaks them', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 14, maxLength: 18 }), fc.nat(), (body, at) => {
        const n = body + luhnCheckDigit(body);
        expect(luhnValid(n)).toBe(true);
        const i = at % n.length;
        const changed = n.slice(0, i) + ((Number(n[i]) + 1) % 10) + n.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });

  it('canonical forms drop separators and fold full-width digits, for any input', () => {
    const oracle = (raw: string) => raw.replace(/[\s\-\u2010-\u2015\uff0d]/g, '').replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789 -\u2012－０９\u3000\ta/') })), (s) => {
        expect(canonicalBankCard(s)).toBe(oracle(s));
      }),
    );
  });

  it('normalisation is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123 -－０９\u3000a') })), (s) => {
        expect(canonicalBankCard(canonicalBankCard(s))).toBe(canonicalBankCard(s));
      }),
    );
  });
});
