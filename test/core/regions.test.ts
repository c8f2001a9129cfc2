import { describe, expect, it } from 'vitest';
import { isRegionCode, regionOf } from '../../src/core/regions.ts';

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
});
