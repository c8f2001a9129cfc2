/** The identity factors a check compares. Names are the domain's, not any vendor's. */
export type Factor = 'name' | 'idNumber' | 'bankCard' | 'phone';

export interface Factors {
  name?: string;
  idNumber?: string;
  bankCard?: string;
  phone?: string;
}

/**
 * idcard2: ID number + name (二要素); bankcard2: name + bank card (银行卡二要素); bankcard3: ID number +
 * name + bank card (银行卡三要素); bankcard4: + the phone reserved with the card (银行卡四要素);
 * phone3: ID number + name + phone (运营商三要素).
 */
export const CHECK_KINDS = ['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/**
 * Which factors each kind needs, in the order they are validated: when several are invalid, the first
 * in this order answers. The orders are the vendors' field orders (Tencent Cloud FaceID lists
 * BankCard4EVerification as Name, BankCard, Phone, IdCard), so a dialect's "first invalid field" and
 * the core's agree.
 */
export const KIND_FACTORS: Record<CheckKind, readonly Factor[]> = {
  idcard2: ['idNumber', 'name'],
  bankcard2: ['name', 'bankCard'],
  bankcard3: ['idNumber', 'name', 'bankCard'],
  bankcard4: ['name', 'bankCard', 'phone', 'idNumber'],
  phone3: ['idNumber', 'name', 'phone'],
};

export function isCheckKind(value: string): value is CheckKind {
  return (CHECK_KINDS as readonly string[]).includes(value);
}
