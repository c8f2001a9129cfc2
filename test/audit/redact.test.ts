import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskBankCard, maskFactors, maskIdNumber, maskName, maskPhone } from '../../src/audit/redact.ts';

describe('masking personal data', () => {
  it('keeps only the first character of a name, counting code points', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('𠀀明')).toBe('𠀀*');
    expect(maskName('李')).toBe('李*');
  });

  it('keeps region prefix and last four of an ID number', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });

  it('keeps the BIN and last four of a card, ignoring spaces', () => {
    expect(maskBankCard('6222 0202 0000 1234 567')).toBe('622202*********4567');
  });

  it('masks the middle of a phone number, with or without +86', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('138****5678');
  });

  it('masks by code points whatever the text: surrogate pairs, lone surrogates, any length', () => {
    // The plain definition, one code point at a time: what the fast path for BMP text must equal.
    const keepEnds = (v: string, head: number, tail: number) => {
      const c = [...v];
      return c.length <= head + tail ? '*'.repeat(c.length) : c.slice(0, head).join('') + '*'.repeat(c.length - head - tail) + c.slice(-tail).join('');
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('1', 'X', '张', '𠮷', '\uD800', '\uDC00', ' '), maxLength: 24 }), (v) => {
        expect(maskIdNumber(v)).toBe(keepEnds(v.trim(), 4, 4));
        const t = [...v.trim()];
        expect(maskName(v)).toBe(t.length === 0 ? '' : t[0] + '*'.repeat(Math.max(1, t.length - 1)));
      }),
    );
  });

  it('hides short values entirely rather than revealing them', () => {
    expect(maskIdNumber('1234')).toBe('****');
    expect(maskBankCard('12345')).toBe('*****');
  });

  it('masks every factor present and leaves absent ones absent', () => {
    expect(maskFactors({ name: '王五', idNumber: '110105194912310029' })).toEqual({ name: '王*', idNumber: '1101**********0029' });
  });
});
