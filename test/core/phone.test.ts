import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js/mobile';
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

  it('answers as libphonenumber does on every 5-digit prefix of 11-digit numbers (the prefix table)', () => {
    // 20 pseudo-random numbers under each prefix 10000-19999, so every table entry is learned and checked.
    let seed = 20240601;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    let disagreements = 0;
    let valid = 0;
    for (let prefix = 10000; prefix <= 19999; prefix++) {
      for (let k = 0; k < 20; k++) {
        const phone = `${prefix}${String(next() % 1_000_000).padStart(6, '0')}`;
        const theirs = isValidPhoneNumber(phone, 'CN');
        if (theirs) valid++;
        if (validatePhone(phone).ok !== theirs) disagreements++;
      }
    }
    expect(disagreements).toBe(0);
    expect(valid).toBeGreaterThan(10_000);
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
