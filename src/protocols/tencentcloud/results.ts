/**
 * The Result tables of the five actions as the vendor publishes them (Result string, Description,
 * billed or not — "收费/计费" vs "不收费/不计费"), each row with a machine meaning, and the answers a
 * server gives (meaning → Result). Both directions: a dialect answering like the vendor reads
 * ANSWERS; an upstream client calling the vendor reads meaningOf().
 */
import type { Factor } from '../../core/index.ts';
import type { ActionName, Isp } from './actions.ts';

/** The card states a bank answers (each bank-card action numbers them its own way). */
export const CARD_STATES = [
  { state: 'no_card_not_present', description: '未开通无卡支付' },
  { state: 'confiscated', description: '此卡被没收' },
  { state: 'invalid_number', description: '无效卡号' },
  { state: 'no_issuer', description: '此卡无对应发卡行' },
  { state: 'dormant', description: '该卡未初始化或睡眠卡' },
  { state: 'captured', description: '作弊卡、吞卡' },
  { state: 'lost', description: '此卡已挂失' },
  { state: 'expired', description: '该卡已过期' },
  { state: 'restricted', description: '受限制的卡' },
  { state: 'pin_tries_exceeded', description: '密码错误次数超限' },
  { state: 'issuer_declined', description: '发卡行不支持此交易' },
] as const;
/** 卡状态异常或卡号错误: numbered apart from the others in every table. */
const ABNORMAL = { state: 'abnormal', description: '卡状态异常或卡号错误' } as const;
export type CardState = (typeof CARD_STATES)[number]['state'] | typeof ABNORMAL.state;

export type ResultMeaning =
  | { verdict: 'match' }
  /** `mismatched` where the vendor says which factor (IdCard's -1: the name is not the ID number's). */
  | { verdict: 'mismatch'; mismatched?: readonly Factor[] }
  /** No record (bank-card actions: 持卡人信息有误, which the vendor's own 不一致 examples also answer). */
  | { verdict: 'not_found' }
  | { verdict: 'invalid'; field: Factor }
  /** The service cannot answer now (服务繁忙 / 服务异常 / 系统升级中). */
  | { verdict: 'unavailable' }
  /** The identity was checked too often today. */
  | { verdict: 'daily_limit' }
  /** What the bank says about the card (billed). */
  | { verdict: 'card_state'; state: CardState }
  /** Not checkable: a certificate type other than 二代身份证, or a phone segment the service does not cover. */
  | { verdict: 'unsupported'; what: 'certType' | 'segment' };

export interface ResultRow {
  result: string;
  description: string;
  billed: boolean;
  meaning: ResultMeaning;
}

const row = (result: string, description: string, billed: boolean, meaning: ResultMeaning): ResultRow => ({ result, description, billed, meaning });
const match = { verdict: 'match' } as const;
const mismatch = { verdict: 'mismatch' } as const;
const notFound = { verdict: 'not_found' } as const;
const unavailable = { verdict: 'unavailable' } as const;
const dailyLimit = { verdict: 'daily_limit' } as const;
const invalid = (field: Factor): ResultMeaning => ({ verdict: 'invalid', field });
const unsupported = (what: 'certType' | 'segment'): ResultMeaning => ({ verdict: 'unsupported', what });

/** The billed card-state rows: CARD_STATES numbered from `first` down, then 卡状态异常或卡号错误 at `abnormal`. */
function cardStateRows(first: number, abnormal: number): ResultRow[] {
  const rows = CARD_STATES.map(({ state, description }, i) => row(String(first - i), description, true, { verdict: 'card_state', state }));
  return [...rows, row(String(abnormal), ABNORMAL.description, true, { verdict: 'card_state', state: ABNORMAL.state })];
}

const BUSY = '验证中心服务繁忙';
const TOO_OFTEN = '验证次数超限，请次日重试';
const CERT_TYPE = '该证件号暂不支持核验，当前仅支持二代身份证';
/** The bank-card actions' billed no-record (持卡人信息有误): the vendor answers its own 不一致 examples with it too. */
export const HOLDER = '持卡人信息有误';

/** Each action's table in the vendor's order: billed rows first, then the others. */
export const RESULTS: Record<ActionName, readonly ResultRow[]> = {
  IdCardVerification: [
    row('0', '姓名和身份证号一致', true, match),
    row('-1', '姓名和身份证号不一致', true, { verdict: 'mismatch', mismatched: ['name'] }),
    row('-2', '非法身份证号（长度、校验位等不正确）', false, invalid('idNumber')),
    row('-3', '非法姓名（长度、格式等不正确）', false, invalid('name')),
    row('-4', '证件库服务异常', false, unavailable),
    row('-5', '证件库中无此身份证记录', false, notFound),
    row('-6', '权威比对系统升级中，请稍后再试', false, unavailable),
    row('-7', '认证次数超过当日限制', false, dailyLimit),
  ],
  BankCardVerification: [
    row('0', '认证通过', true, match),
    row('-1', '认证未通过', true, mismatch),
    row('-5', HOLDER, true, notFound),
    ...cardStateRows(-6, -20),
    row('-2', '姓名校验不通过', false, invalid('name')),
    row('-3', '身份证号码有误', false, invalid('idNumber')),
    row('-4', '银行卡号格式有误', false, invalid('bankCard')),
    row('-17', BUSY, false, unavailable),
    row('-18', TOO_OFTEN, false, dailyLimit),
    row('-19', CERT_TYPE, false, unsupported('certType')),
  ],
  BankCard2EVerification: [
    row('0', '认证通过', true, match),
    row('-1', '认证未通过', true, mismatch),
    row('-4', HOLDER, true, notFound),
    ...cardStateRows(-5, -18),
    row('-2', '姓名校验不通过', false, invalid('name')),
    row('-3', '银行卡号格式有误', false, invalid('bankCard')),
    row('-16', BUSY, false, unavailable),
    row('-17', TOO_OFTEN, false, dailyLimit),
  ],
  BankCard4EVerification: [
    row('0', '认证通过', true, match),
    row('-1', '认证未通过', true, mismatch),
    row('-6', HOLDER, true, notFound),
    ...cardStateRows(-7, -21),
    row('-2', '姓名校验不通过', false, invalid('name')),
    row('-3', '身份证号码有误', false, invalid('idNumber')),
    row('-4', '银行卡号格式有误', false, invalid('bankCard')),
    row('-5', '手机号码不合法', false, invalid('phone')),
    row('-18', BUSY, false, unavailable),
    row('-19', TOO_OFTEN, false, dailyLimit),
    row('-20', CERT_TYPE, false, unsupported('certType')),
  ],
  // The table's texts (the vendor's examples show 认证通过 / 信息不一致 instead; which the live service
  // sends is unconfirmed, and the issue pins the table's).
  PhoneVerification: [
    row('0', '三要素信息一致', true, match),
    row('-4', '三要素信息不一致', true, mismatch),
    row('-6', '手机号码不合法', false, invalid('phone')),
    row('-7', '身份证号码有误', false, invalid('idNumber')),
    row('-8', '姓名校验不通过', false, invalid('name')),
    row('-9', '没有记录', false, notFound),
    row('-11', BUSY, false, unavailable),
    row('-12', '认证次数超过当日限制，请次日重试', false, dailyLimit),
    row('-13', '该号段不支持验证', false, unsupported('segment')),
  ],
};

/** What a server answers, per action. `invalid` has a Result for each factor the action carries. */
export interface Answers {
  match: string;
  mismatch: string;
  not_found: string;
  /** A source error or no source at all. */
  unavailable: string;
  daily_limit: string;
  invalid: Partial<Record<Factor, string>>;
  /** CertType other than 0, where the action has CertType. */
  certType?: string;
}

export const ANSWERS: Record<ActionName, Answers> = {
  IdCardVerification: { match: '0', mismatch: '-1', not_found: '-5', unavailable: '-4', daily_limit: '-7', invalid: { idNumber: '-2', name: '-3' } },
  BankCardVerification: {
    match: '0',
    mismatch: '-1',
    not_found: '-5',
    unavailable: '-17',
    daily_limit: '-18',
    invalid: { name: '-2', idNumber: '-3', bankCard: '-4' },
    certType: '-19',
  },
  BankCard2EVerification: { match: '0', mismatch: '-1', not_found: '-4', unavailable: '-16', daily_limit: '-17', invalid: { name: '-2', bankCard: '-3' } },
  BankCard4EVerification: {
    match: '0',
    mismatch: '-1',
    not_found: '-6',
    unavailable: '-18',
    daily_limit: '-19',
    invalid: { name: '-2', idNumber: '-3', bankCard: '-4', phone: '-5' },
    certType: '-20',
  },
  PhoneVerification: { match: '0', mismatch: '-4', not_found: '-9', unavailable: '-11', daily_limit: '-12', invalid: { phone: '-6', idNumber: '-7', name: '-8' } },
};

const BY_RESULT = new Map<ActionName, Map<string, ResultRow>>(
  (Object.entries(RESULTS) as [ActionName, readonly ResultRow[]][]).map(([action, rows]) => [action, new Map(rows.map((r) => [r.result, r]))]),
);

/** The row of a Result string (undefined for a Result the table does not have). */
export function resultRow(action: ActionName, result: string): ResultRow | undefined {
  return BY_RESULT.get(action)?.get(result);
}

/** An upstream answer's meaning; a Result the table does not have means nothing we can trust. */
export function meaningOf(action: ActionName, result: string): ResultMeaning | undefined {
  return resultRow(action, result)?.meaning;
}

// ---- PhoneVerification's ResultDetail (VerifyMode "1", Result "-4") ----

/**
 * The vendor's detail values. `mismatched` is read as the core reads a mismatch: the factors that are
 * not the record's. From the phone's side "the phone agrees with neither name nor ID number" is, from
 * the person's side, "the phone is not theirs" (`phone`). 其他不一致 names none.
 */
export const RESULT_DETAILS = [
  { detail: 'PhoneIdCardMismatch', description: '手机号码与姓名一致，与身份证号不一致', mismatched: ['idNumber'] },
  { detail: 'PhoneNameMismatch', description: '手机号码身份证号一致，与姓名不一致', mismatched: ['name'] },
  { detail: 'PhoneNameIdCardMismatch', description: '手机号码与姓名和身份证号均不一致', mismatched: ['phone'] },
  { detail: 'NameIdCardMismatch', description: '姓名和身份证号不一致', mismatched: ['name'] },
  { detail: 'OtherMismatch', description: '其他不一致', mismatched: undefined },
] as const satisfies readonly { detail: string; description: string; mismatched: readonly Factor[] | undefined }[];
export type ResultDetail = (typeof RESULT_DETAILS)[number]['detail'];

/**
 * The detail for the factors a mismatch names. The registry's record is the ID number's owner, so it
 * names `name`, `phone` or both; a source keyed by the phone would name `idNumber` and `name`.
 */
export function resultDetailFor(mismatched: readonly Factor[] | undefined): ResultDetail {
  const set = new Set(mismatched ?? []);
  const only = (...factors: Factor[]) => set.size === factors.length && factors.every((f) => set.has(f));
  if (only('name')) return 'PhoneNameMismatch';
  if (only('idNumber')) return 'PhoneIdCardMismatch';
  if (only('phone') || only('idNumber', 'name')) return 'PhoneNameIdCardMismatch';
  // Neither the name nor the phone is the ID number's owner's: the name and the ID number disagree.
  if (only('name', 'phone')) return 'NameIdCardMismatch';
  return 'OtherMismatch';
}

/** An upstream detail's factors (undefined: the vendor did not say, or a detail we do not know). */
export function mismatchedOfDetail(detail: string | undefined): readonly Factor[] | undefined {
  return RESULT_DETAILS.find((d) => d.detail === detail)?.mismatched;
}

// ---- PhoneVerification's Isp ----

const ISP_OF_CARRIER: Readonly<Record<string, Isp>> = { 中国移动: '移动', 中国联通: '联通', 中国电信: '电信' };

/**
 * The Isp of a carrier as the core names it (core/phone.ts carrierOf, from the number's segment):
 * the three networks; "" for a virtual operator's segment, 中国广电, or a segment not known.
 */
export function ispOf(carrier: string | undefined): Isp {
  return (carrier !== undefined && ISP_OF_CARRIER[carrier]) || '';
}
