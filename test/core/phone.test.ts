import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalPhone, carrierOf, validatePhone } from '../../src/core/phone.ts';

describe('phones', () => {
  it('accepts mainland mobile numbers with or without +86, answering 11 digits', () => {
    for (const raw of ['13800138000', '+86 138 0013 8000', '+86-138-0013-8000', '0086 13800138000', '8613800138000', '(+86)13800138000', '１３８００１３８０００']) {
      expect(validatePhone(raw)).toMatchObject({ ok: true, phone: '13800138000' });
    }
  });

  it('gives the carrier of the segment as a hint', () => {
    expect(validatePhone('13800138000')).toMatchObject({ carrier: '中国移动' });
    expect(carrierOf('18612345678')).toBe('中国联通');
    expect(carrierOf('19912345678')).toBe('中国电信');
    expect(carrierOf('19212345678')).toBe('中国广电');
    expect(carrierOf('17012345678')).toBe('中国电信（虚拟运营商）');
    expect(carrierOf('13491234567')).toBe('中国电信');
  });

  it('says why a number is rejected', () => {
    expect(validatePhone('')).toEqual({ ok: false, invalid: { field: 'phone', reason: 'empty' } });
    expect(validatePhone('1380013800')).toMatchObject({ invalid: { reason: 'length' } });
    expect(validatePhone('138001380001')).toMatchObject({ invalid: { reason: 'length' } });
    expect(validatePhone('1380013800a')).toMatchObject({ invalid: { reason: 'charset', position: 11 } });
    // 12x and 10x are not mobile segments; 11 digits starting 0 are a landline.
    expect(validatePhone('12012345678')).toMatchObject({ invalid: { reason: 'segment' } });
    expect(validatePhone('10012345678')).toMatchObject({ invalid: { reason: 'segment' } });
    expect(validatePhone('02012345678')).toMatchObject({ invalid: { reason: 'segment' } });
    // Hong Kong mobile numbers are not mainland numbers.
    expect(validatePhone('+852 9123 4567')).toMatchObject({ ok: false, invalid: { reason: 'charset', position: 1 } });
  });

  it('normalisation is idempotent', () => {
    const phoneLike = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'+0186 -()１') }));
    fc.assert(
      fc.property(phoneLike, (s) => {
        expect(canonicalPhone(canonicalPhone(s))).toBe(canonicalPhone(s));
      }),
    );
    expect(canonicalPhone('+868613800138000')).toBe('+868613800138000');
  });
});
