import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalIdNumber, checkCharacter, to15, to18, validateIdNumber } from '../../src/core/id-number.ts';
import { allRegionCodes } from '../../src/core/regions.ts';

const NOW = new Date('2025-06-01T04:00:00Z');
/** 17 body digits + their check character. */
const id = (body: string): string => body + checkCharacter(body);
const reasonOf = (raw: string, now = NOW) => {
  const r = validateIdNumber(raw, now);
  return r.ok ? 'ok' : r.invalid.reason;
};

describe('18-digit resident ID numbers', () => {
  it('accepts a valid number and derives sex, birth date, age and the region', () => {
    const r = validateIdNumber(id('11010519491231002'), NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.facts).toMatchObject({ type: 'resident', sex: 'F', birthDate: '1949-12-31', age: 75, legacy15: false });
    expect(r.facts.region).toMatchObject({ code: '110105', province: '北京市', name: '北京市朝阳区', abolished: false });
    expect(validateIdNumber(id('11010519491231001'), NOW)).toMatchObject({ facts: { sex: 'M' } });
  });

  it('accepts a lowercase x and full-width digits, answering the canonical form', () => {
    const valid = id('11010519800101001');
    const sequences = Array.from({ length: 100 }, (_, i) => id(`110105198001010${String(i).padStart(2, '0')}`));
    const withX = sequences.find((n) => n.endsWith('X'))!;
    expect(validateIdNumber(withX.toLowerCase(), NOW)).toMatchObject({ ok: true, idNumber: withX });
    const fullWidth = valid.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    expect(validateIdNumber(`  ${fullWidth} `, NOW)).toMatchObject({ ok: true, idNumber: valid });
  });

  it('says precisely why a number is rejected', () => {
    expect(validateIdNumber('', NOW)).toEqual({ ok: false, invalid: { field: 'idNumber', reason: 'empty' } });
    expect(validateIdNumber('   ', NOW)).toMatchObject({ invalid: { reason: 'empty' } });
    expect(validateIdNumber(undefined, NOW)).toMatchObject({ invalid: { reason: 'empty' } });
    expect(reasonOf('1101051949123100')).toBe('length');
    expect(validateIdNumber('11010519491231A021', NOW)).toMatchObject({ invalid: { reason: 'charset', position: 15 } });
    expect(validateIdNumber('110105194912310021', NOW)).toMatchObject({ invalid: { reason: 'checksum', position: 18 } });
  });

  it('accepts abolished codes and rejects codes that never existed', () => {
    // 110103 崇文区 was in force 1980–2009, then merged into 东城区 (110101).
    const r = validateIdNumber(id('11010319900101001'), NOW);
    expect(r).toMatchObject({ ok: true, facts: { region: { code: '110103', county: '崇文区', name: '北京市崇文区', abolished: true, successors: ['110101'] } } });
    // An ID keeps its code for life: someone born after the code was abolished may still carry it.
    expect(reasonOf(id('11010320150101001'))).toBe('ok');
    expect(reasonOf(id('11999919900101001'))).toBe('region');
    expect(reasonOf(id('00000019900101001'))).toBe('region');
  });

  it('names a reused or renamed code as in the birth year', () => {
    const named = (body: string) => {
      const r = validateIdNumber(id(body), NOW);
      return r.ok ? r.facts.region.name : r.invalid.reason;
    };
    // 120110 was 东郊区 until 1991, 东丽区 from 1992.
    expect(named('12011019850101001')).toBe('天津市东郊区');
    expect(named('12011020000101001')).toBe('天津市东丽区');
    // Born before the tables start: the nearest interval.
    expect(named('12011019500101001')).toBe('天津市东郊区');
  });

  it('accepts residence permits for Hong Kong, Macau and Taiwan residents', () => {
    for (const [code, province] of [['810000', '香港特别行政区'], ['820000', '澳门特别行政区'], ['830000', '台湾省']]) {
      const r = validateIdNumber(id(`${code}19900101001`), NOW);
      expect(r).toMatchObject({ ok: true, facts: { type: 'residencePermit', region: { code, province } } });
    }
    // Permits carry only the fixed codes.
    expect(reasonOf(id('81010119900101001'))).toBe('region');
  });
});

describe('birth dates', () => {
  it('knows 29 February in leap and non-leap years', () => {
    expect(reasonOf(id('11010520000229001'))).toBe('ok');
    expect(reasonOf(id('11010520240229001'))).toBe('ok');
    expect(reasonOf(id('11010520230229001'))).toBe('birthDate');
    expect(reasonOf(id('11010519000229001'))).toBe('birthDate');
    expect(reasonOf(id('11010519900431001'))).toBe('birthDate');
    expect(reasonOf(id('11010519901301001'))).toBe('birthDate');
    expect(reasonOf(id('11010519900100001'))).toBe('birthDate');
  });

  it('accepts 1800-01-01 and nothing earlier', () => {
    expect(reasonOf(id('11010518000101001'))).toBe('ok');
    expect(reasonOf(id('11010517991231001'))).toBe('birthDate');
  });

  it('takes today in Beijing: a birth date of today just after midnight there is valid', () => {
    // 16:00:01 UTC on 1 March is 00:00:01 on 2 March in Beijing.
    const justAfterMidnight = new Date('2025-03-01T16:00:01Z');
    expect(reasonOf(id('11010520250302001'), justAfterMidnight)).toBe('ok');
    expect(validateIdNumber(id('11010520250302001'), justAfterMidnight)).toMatchObject({ facts: { age: 0 } });
    expect(reasonOf(id('11010520250303001'), justAfterMidnight)).toBe('birthDate');
    // One second before midnight in Beijing it is still 1 March.
    expect(reasonOf(id('11010520250302001'), new Date('2025-03-01T15:59:59Z'))).toBe('birthDate');
  });

  it('counts age in whole years up to the birthday', () => {
    const ageOn = (now: string) => {
      const r = validateIdNumber(id('11010519900602001'), new Date(now));
      return r.ok ? r.facts.age : -1;
    };
    expect(ageOn('2025-06-01T12:00:00Z')).toBe(34);
    expect(ageOn('2025-06-01T16:00:00Z')).toBe(35);
  });
});

describe('15-digit legacy numbers', () => {
  it('converts them to 18 digits with century 19 and validates the result', () => {
    const r = validateIdNumber('110103800101001', NOW);
    expect(r).toMatchObject({ ok: true, idNumber: id('11010319800101001'), facts: { legacy15: true, birthDate: '1980-01-01' } });
    expect(canonicalIdNumber('110103800101001')).toBe(id('11010319800101001'));
    expect(reasonOf('119999800101001')).toBe('region');
    expect(reasonOf('110103800230001')).toBe('birthDate');
  });
});

describe("foreigners' permanent residence ID cards", () => {
  it('reads the 2023 format (first digit 9, the issuing province, MOD 11-2)', () => {
    // 9 + province 11 + nationality 840 + 1985-07-14 + sequence 013
    const r = validateIdNumber(id('91184019850714013'), NOW);
    expect(r).toMatchObject({ ok: true, facts: { type: 'foreignPermanent2023', sex: 'M', birthDate: '1985-07-14', region: { code: '110000' } } });
    expect(reasonOf(id('99984019850714013'))).toBe('region');
    expect(reasonOf('911840198507140130')).toBe(checkCharacter('91184019850714013') === '0' ? 'ok' : 'checksum');
  });

  it('reads the 2017 format (3 letters + 12 digits)', () => {
    const r = validateIdNumber('usa310085071410', NOW);
    expect(r).toMatchObject({ ok: true, idNumber: 'USA310085071410', facts: { type: 'foreignPermanent2017', birthDate: '1985-07-14', region: { code: '310000' } } });
    expect(validateIdNumber('USA310008071410', NOW)).toMatchObject({ ok: true, facts: { birthDate: '2008-07-14' } });
    expect(validateIdNumber('US1310085071410', NOW)).toMatchObject({ invalid: { reason: 'charset', position: 3 } });
    expect(reasonOf('USA990085071410')).toBe('region');
    expect(reasonOf('USA310085131410')).toBe('birthDate');
  });
});

/** Arbitrary valid 17-digit bodies: real region codes, real dates from 1800 to NOW, any sequence. */
const REGIONS = allRegionCodes().filter((c) => !/^8[123]/.test(c) || c.endsWith('0000'));
const body17 = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    date: fc.date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2025-05-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, date, seq }) => region + date.toISOString().slice(0, 10).replace(/-/g, '') + String(seq).padStart(3, '0'));

describe('properties', () => {
  it('every generated valid number validates, with the facts it was built from', () => {
    fc.assert(
      fc.property(body17, (body) => {
        const r = validateIdNumber(id(body), NOW);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.facts.birthDate.replace(/-/g, '')).toBe(body.slice(6, 14));
        expect(r.facts.sex).toBe(Number(body[16]) % 2 === 1 ? 'M' : 'F');
      }),
    );
  });

  it('any single-digit change fails the check digit', () => {
    fc.assert(
      fc.property(body17, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (body, at, delta) => {
        const valid = id(body);
        const chars = [...valid];
        const current = chars[at] === 'X' ? 10 : Number(chars[at]);
        const next = (current + delta) % (at === 17 ? 11 : 10);
        fc.pre(next !== current);
        chars[at] = next === 10 ? 'X' : String(next);
        expect(validateIdNumber(chars.join(''), NOW)).toMatchObject({ ok: false, invalid: { reason: 'checksum' } });
      }),
    );
  });

  it('any transposition of two different adjacent digits fails the check digit', () => {
    fc.assert(
      fc.property(body17, fc.integer({ min: 0, max: 16 }), (body, at) => {
        const chars = [...id(body)];
        fc.pre(chars[at] !== chars[at + 1] && chars[at + 1] !== 'X');
        [chars[at], chars[at + 1]] = [chars[at + 1]!, chars[at]!];
        expect(validateIdNumber(chars.join(''), NOW)).toMatchObject({ ok: false, invalid: { reason: 'checksum' } });
      }),
    );
  });

  it('15 → 18 conversion round-trips', () => {
    const id15 = fc
      .record({
        region: fc.constantFrom(...REGIONS),
        date: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('1999-12-31T00:00:00Z'), noInvalidDate: true }),
        seq: fc.integer({ min: 0, max: 999 }),
      })
      .map(({ region, date, seq }) => region + date.toISOString().slice(2, 10).replace(/-/g, '') + String(seq).padStart(3, '0'));
    fc.assert(
      fc.property(id15, (legacy) => {
        const full = to18(legacy);
        expect(to15(full)).toBe(legacy);
        expect(validateIdNumber(legacy, NOW)).toMatchObject({ ok: true, idNumber: full });
        expect(validateIdNumber(full, NOW)).toMatchObject({ ok: true, idNumber: full });
      }),
    );
  });

  it('normalisation is idempotent', () => {
    const idLike = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'0123456789xX０１２３４５６７８９ｘ abc') }),
      body17.map((b) => ` ${b.slice(0, 15).toLowerCase()} `),
    );
    fc.assert(
      fc.property(idLike, (s) => {
        expect(canonicalIdNumber(canonicalIdNumber(s))).toBe(canonicalIdNumber(s));
      }),
    );
  });
});
