import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskFactors } from '../../src/audit/redact.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';

const [person] = [...generateIdentities(1, 17)];
const INVALID = /^<invalid, \d+ chars, (digits|latin|han|mixed)>$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What the audit log keeps of a request's factors: only values of the factor's shape are masked by position. */
describe('masking what did not validate as its factor', () => {
  it('never keeps a name appended to an ID number (issue 17: "510403195110123890 莫永")', () => {
    expect(maskFactors({ idNumber: '510403195110123890 莫永' })).toEqual({ idNumber: '<invalid, 21 chars, mixed>' });
  });

  it('never keeps the tail of broken multipart junk in any factor', () => {
    const junk = `${person!.idNumber}\r\n------x\r\nContent-Disposition: form-data; name="name"\r\n\r\n江红`;
    const masked = maskFactors({ idNumber: junk, name: `江红\r\n------x--`, bankCard: `${person!.bankCard}\r\n江红`, phone: `${person!.phone}\r\n江红` });
    for (const value of Object.values(masked)) {
      expect(value).toMatch(INVALID);
      expect(value).not.toContain('江');
    }
    expect(masked.idNumber).toBe(`<invalid, ${[...junk].length} chars, mixed>`);
    // surrounding whitespace is not junk: a trimmed name that validates is masked as a name
    expect(maskFactors({ name: '\r\n江红 ' }).name).toBe('江*');
  });

  it('masks values of the right shape as before, in their canonical form', () => {
    expect(maskFactors({ name: '王五', idNumber: '110105194912310029' })).toEqual({ name: '王*', idNumber: '1101**********0029' });
    // full-width digits and a lower-case x are the same ID number
    expect(maskFactors({ idNumber: '１１０１０５１９４９１２３１００２x' }).idNumber).toBe('1101**********002X');
    expect(maskFactors({ bankCard: '6222 0202 0000 1234 567' }).bankCard).toBe('622202*********4567');
    expect(maskFactors({ phone: '+86 138 1234 5678' }).phone).toBe('138****5678');
  });

  it('keeps no character of a value that is not of its shape, whatever the text', () => {
    const unit = fc.constantFrom('1', 'X', '张', '江', '𠮷', '\uD800', '\uDC00', '\u0000', ' ', '\r', '\n', '-', 'a', '·');
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 30 }), (value) => {
        const masked = maskFactors({ name: value, idNumber: value, bankCard: value, phone: value });
        for (const out of Object.values(masked)) {
          // Either the class marker, or a positional mask: nothing else, and never a lone surrogate or NUL.
          expect(out === '' || INVALID.test(out) || /^[\p{Script=Han}\p{L}\d*]+$/u.test(out)).toBe(true);
          for (const c of ['\u0000', '\r', '\n']) expect(out).not.toContain(c);
          expect(out).not.toMatch(LONE_SURROGATE);
        }
      }),
      { numRuns: 500 },
    );
  });
});
