import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalName, MAX_NAME_LENGTH, validateName } from '../../src/core/name.ts';

describe('names', () => {
  it('accepts Han names, rare characters outside the BMP, and minority names with a middle dot', () => {
    for (const name of ['张三', '欧阳娜娜', '阿卜杜·热合曼', '买买提·艾力·吐尔逊', '吉𠮷', '刘䶮', '𪚥𪚥', '〇']) {
      expect(validateName(name)).toEqual({ ok: true, name, script: 'han' });
    }
  });

  it('folds look-alike dots to U+00B7, trims and NFC-normalises', () => {
    for (const dot of ['•', '・', '．', '‧', '⋅', '･', '.']) {
      expect(validateName(` 阿卜杜${dot}热合曼\u3000`)).toMatchObject({ ok: true, name: '阿卜杜·热合曼' });
    }
    // U+F900 (a CJK compatibility ideograph) is canonically equivalent to U+8C48.
    expect(canonicalName('\uf900')).toBe('\u8c48');
  });

  it('counts length in code points, up to 50', () => {
    expect(MAX_NAME_LENGTH).toBe(50);
    expect(validateName('张'.repeat(50)).ok).toBe(true);
    expect(validateName('𠮷'.repeat(50)).ok).toBe(true);
    expect(validateName('张'.repeat(51))).toEqual({ ok: false, invalid: { field: 'name', reason: 'length' } });
    expect(validateName('𠮷'.repeat(51))).toMatchObject({ invalid: { reason: 'length' } });
  });

  it('says which character is forbidden and where', () => {
    expect(validateName('张A')).toEqual({ ok: false, invalid: { field: 'name', reason: 'charset', position: 2 } });
    expect(validateName('𠮷吉1')).toMatchObject({ invalid: { reason: 'charset', position: 3 } });
    expect(validateName('张 三')).toMatchObject({ invalid: { reason: 'charset', position: 2 } });
    expect(validateName('😀')).toMatchObject({ invalid: { reason: 'charset', position: 1 } });
    expect(validateName('')).toMatchObject({ invalid: { reason: 'empty' } });
    expect(validateName('  ')).toMatchObject({ invalid: { reason: 'empty' } });
    expect(validateName(undefined)).toMatchObject({ invalid: { reason: 'empty' } });
  });

  it('rejects leading, trailing and doubled dots with their position', () => {
    expect(validateName('·阿卜杜')).toEqual({ ok: false, invalid: { field: 'name', reason: 'dots', position: 1 } });
    expect(validateName('阿卜杜·')).toMatchObject({ invalid: { reason: 'dots', position: 4 } });
    expect(validateName('阿卜杜··热合曼')).toMatchObject({ invalid: { reason: 'dots', position: 5 } });
    expect(validateName('阿卜杜•.热合曼')).toMatchObject({ invalid: { reason: 'dots', position: 5 } });
  });

  it('accepts Latin-letter names only for a foreigner, as their own reason otherwise', () => {
    expect(validateName("Anne-Marie O'Neil", true)).toEqual({ ok: true, name: "Anne-Marie O'Neil", script: 'latin' });
    expect(validateName('José Müller', true)).toMatchObject({ ok: true });
    expect(validateName('John F. Smith', true)).toMatchObject({ ok: true, name: 'John F· Smith' });
    expect(validateName('John Smith')).toEqual({ ok: false, invalid: { field: 'name', reason: 'type' } });
    expect(validateName('John 3', true)).toMatchObject({ invalid: { reason: 'charset', position: 6 } });
    expect(validateName('John张', true)).toMatchObject({ invalid: { reason: 'charset', position: 5 } });
  });

  it('canonical forms are NFC, trimmed, dots folded, whichever characters the name holds', () => {
    const oracle = (raw: string) => raw.normalize('NFC').trim().replace(/[\u2022\u30fb\uff0e\u2027\u22c5\uff65.]/g, '\u00b7');
    // Characters that skip normalize() mixed with some that need it (combining marks, a compatibility ideograph, Hangul jamo).
    const unit = fc.constantFrom(...'张三䶮〇a.é \u3000\t·•・．‧⋅･\u0301\u0308\uf900\u1100\u1161\u2000\u30a6\u3099', '𠮷', '\ud87e\udc00', 'e\u0301', 'a\u0300', '\u1100\u1161', 'ウ\u3099');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        expect(canonicalName(s)).toBe(oracle(s));
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts a Han name exactly when Han runs joined by single middle dots make it up', () => {
    const HAN_NAME = /^\p{Script=Han}+(?:\u00b7\p{Script=Han}+)*$/u;
    const unit = fc.constantFrom(...'张三䶮〇々·•. a\u0301\uf900\u4dc0\u9fff\u3400\u4dbf\u4e00', '𠮷', '\ud800');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (s) => {
        const name = canonicalName(s);
        const fits = name.length > 0 && [...name].length <= MAX_NAME_LENGTH && HAN_NAME.test(name);
        expect(validateName(s)).toEqual(fits ? { ok: true, name, script: 'han' } : expect.objectContaining({ ok: false }));
      }),
      { numRuns: 2_000 },
    );
  });

  it('the blocks checked without a regular expression are all Han and left alone by NFC', () => {
    for (const [from, to] of [[0x3400, 0x4dbf], [0x4e00, 0x9fff]] as const) {
      for (let c = from; c <= to; c++) {
        const ch = String.fromCharCode(c);
        if (!/^\p{Script=Han}$/u.test(ch) || ch.normalize('NFC') !== ch) throw new Error(`U+${c.toString(16)}`);
      }
    }
    const inert = fc.oneof(fc.integer({ min: 0, max: 0x2ff }), fc.integer({ min: 0x3400, max: 0x4dbf }), fc.integer({ min: 0x4e00, max: 0x9fff }), fc.constant(0x3000));
    fc.assert(
      fc.property(fc.array(inert, { maxLength: 20 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(s.normalize('NFC')).toBe(s);
      }),
    );
  });

  it('normalisation is idempotent', () => {
    const nameLike = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...'张三·•・．‧⋅･. \u3000\u0301\uf900', '𠮷') }),
    );
    fc.assert(
      fc.property(nameLike, (s) => {
        expect(canonicalName(canonicalName(s))).toBe(canonicalName(s));
      }),
    );
  });
});
