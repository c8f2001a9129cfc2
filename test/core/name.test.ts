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
