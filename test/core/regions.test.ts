import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { allRegionCodes, isRegionCode, regionIntervals, regionOf } from '../../src/core/regions.ts';

describe('regions', () => {
  it('knows every code since 1980, current or abolished, and no invented one', () => {
    expect(isRegionCode('110101')).toBe(true);
    expect(isRegionCode('110103')).toBe(true);
    expect(isRegionCode('119999')).toBe(false);
    expect(isRegionCode('11010')).toBe(false);
    expect(regionOf('119999')).toBeUndefined();
  });

  it('gives the full name with province, prefecture and county', () => {
    expect(regionOf('310101')).toEqual({
      code: '310101', province: '上海市', prefecture: null, county: '黄浦区', name: '上海市黄浦区', abolished: false,
    });
    expect(regionOf('330106')).toMatchObject({ province: '浙江省', prefecture: '杭州市', county: '西湖区', name: '浙江省杭州市西湖区' });
    expect(regionOf('330100')).toMatchObject({ county: null, name: '浙江省杭州市' });
    expect(regionOf('330000')).toMatchObject({ prefecture: null, county: null, name: '浙江省' });
    // A county-level city directly under the province: no placeholder prefecture in the name.
    expect(regionOf('429004')).toMatchObject({ prefecture: null, name: '湖北省仙桃市' });
  });

  it('marks abolished codes with their successors', () => {
    expect(regionOf('110103')).toMatchObject({ name: '北京市崇文区', abolished: true, successors: ['110101'] });
    expect(regionOf('110101')).not.toHaveProperty('successors');
  });

  it('names a code as in force in the birth year, else the nearest interval', () => {
    expect(regionOf('120110', 1985)!.name).toBe('天津市东郊区');
    expect(regionOf('120110', 1992)!.name).toBe('天津市东丽区');
    expect(regionOf('120110', 1960)!.name).toBe('天津市东郊区');
    expect(regionOf('120110')!.name).toBe('天津市东丽区');
  });

  it('names a code the same whichever codes and years were asked before (the caches)', async () => {
    const codes = allRegionCodes();
    const levels = (code: string) => [code.slice(0, 2) + '0000', code.slice(0, 4) + '00', code];
    // Codes whose name may depend on the year, at any level: where a cache keyed too coarsely would show.
    const yearDependent = codes.filter((code) => levels(code).some((c) => (regionIntervals(c)?.length ?? 1) > 1));
    const code = fc.oneof(fc.constantFrom(...codes), fc.constantFrom(...yearDependent));
    const year = fc.option(fc.integer({ min: 1950, max: 2030 }), { nil: undefined });
    const fresh = async () => {
      vi.resetModules();
      return (await import('../../src/core/regions.ts')).regionOf;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(code, year), { minLength: 1_000, maxLength: 2_000 }), async (asks) => {
        const [forward, backward] = [await fresh(), await fresh()];
        const inOrder = asks.map(([c, y]) => forward(c, y));
        const reversed = [...asks].reverse().map(([c, y]) => backward(c, y)).reverse();
        expect(inOrder).toEqual(reversed);
      }),
      // No shrinking: each run loads the table twice, and the first failing run already tells.
      { numRuns: 8, endOnFailure: true },
    );
  });
});
