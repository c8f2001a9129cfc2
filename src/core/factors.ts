/** The identity factors a check compares. Names are the domain's, not any vendor's. */
export type Factor = 'name' | 'idNumber' | 'bankCard' | 'phone';

export interface Factors {
  name?: string;
  idNumber?: string;
  bankCard?: string;
  phone?: string;
}

/**
 * idcard2: ID number + name (二要素); bankcard3: + bank card (银行卡三要素).
 * Later kinds (bankcard2, bankcard4, phone3) join this list as their issues land.
 */
export const CHECK_KINDS = ['idcard2', 'bankcard3'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Which factors each kind needs, in the order they are validated. */
export const KIND_FACTORS: Record<CheckKind, readonly Factor[]> = {
  idcard2: ['idNumber', 'name'],
  bankcard3: ['idNumber', 'name', 'bankCard'],
};

export function isCheckKind(value: string): value is CheckKind {
  return (CHECK_KINDS as readonly string[]).includes(value);
}
