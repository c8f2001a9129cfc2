import type { CheckKind, Factor } from '../../core/index.ts';

/** The vendor's routes: each check also answers as `….json` (the default) and `….xml`. */
export const SUBMAIL_ROUTES: ReadonlyArray<{ url: string; kind: CheckKind }> = [
  { url: '/factor/idcard', kind: 'idcard2' },
  { url: '/factor/card_three_auth', kind: 'bankcard3' },
];

/** The factor fields of each route, in the vendor's names (the keys it signs, with appkey and timestamp). */
export const FIELDS: Partial<Record<CheckKind, ReadonlyArray<readonly [wire: string, factor: Factor]>>> = {
  idcard2: [
    ['idNo', 'idNumber'],
    ['name', 'name'],
  ],
  bankcard3: [
    ['cardNumber', 'bankCard'],
    ['idNo', 'idNumber'],
    ['name', 'name'],
  ],
};
