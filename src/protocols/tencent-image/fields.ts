import type { CheckKind, Factor } from '../../core/index.ts';

/** The image service's check routes (POST, JSON bodies) and the check each one runs. */
export const IMAGE_ROUTES: ReadonlyArray<{ url: string; kind: CheckKind }> = [
  { url: '/auth/idcard', kind: 'idcard2' },
  { url: '/auth/idbankcard', kind: 'bankcard3' },
];

/** The body fields of each check, in the vendor's names, beside `appid` and the optional `bucket`. */
export const FIELDS: Partial<Record<CheckKind, ReadonlyArray<readonly [wire: string, factor: Factor]>>> = {
  idcard2: [
    ['idcard_number', 'idNumber'],
    ['idcard_name', 'name'],
  ],
  bankcard3: [
    ['idcard_number', 'idNumber'],
    ['idcard_name', 'name'],
    ['bankcard_number', 'bankCard'],
  ],
};
