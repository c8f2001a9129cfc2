import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KIND_FACTORS } from '../../../src/core/factors.ts';
import { carrierOf } from '../../../src/core/phone.ts';
import {
  ACTION_NAMES,
  ACTIONS,
  ANSWERS,
  RESULT_DETAILS,
  RESULTS,
  ispOf,
  meaningOf,
  mismatchedOfDetail,
  resultDetailFor,
  resultRow,
  type ActionName,
} from '../../../src/protocols/tencentcloud/index.ts';

/**
 * The oracle is the vendor's own text: the Result documentation of each action's response model,
 * as shipped in the official SDK (the digest's tables come from the same text).
 */
const MODELS = readFileSync(createRequire(import.meta.url).resolve('tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_models.d.ts'), 'utf8');

function docOf(iface: string, field: string): string {
  const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(MODELS)?.[1] ?? '';
  const doc = new RegExp(`/\\*\\*([\\s\\S]*?)\\*/\\s*${field}\\?:`).exec(body)?.[1];
  if (doc === undefined) throw new Error(`no ${iface}.${field} in the SDK's models`);
  return doc;
}

/** [Result, Description, billed] in the vendor's order; 收费/计费 sections are billed, 不收费/不计费 are not. */
function vendorResults(action: ActionName): [string, string, boolean][] {
  const rows: [string, string, boolean][] = [];
  let billed: boolean | undefined;
  for (const line of docOf(`${action}Response`, 'Result').split('\n')) {
    if (/不(收|计)费结果码/.test(line)) billed = false;
    else if (/(收|计)费结果码/.test(line)) billed = true;
    const m = /^\s*'?(-?\d+)'?\s*[:：]\s*'?([^'。]+?)'?。?\s*$/.exec(line);
    if (m && billed !== undefined) rows.push([m[1]!, m[2]!, billed]);
  }
  return rows;
}

describe('the Result tables', () => {
  it.each(ACTION_NAMES)('%s: every Result, Description and billed flag as the vendor publishes them', (action) => {
    const vendor = vendorResults(action);
    expect(vendor.length).toBeGreaterThan(7);
    expect(RESULTS[action].map((r) => [r.result, r.description, r.billed])).toEqual(vendor);
  });

  it('has the texts the issue pins: full-width parentheses, PhoneVerification\'s table wording', () => {
    expect(resultRow('IdCardVerification', '-2')?.description).toBe('非法身份证号（长度、校验位等不正确）');
    expect(resultRow('PhoneVerification', '0')?.description).toBe('三要素信息一致');
    expect(resultRow('PhoneVerification', '-4')?.description).toBe('三要素信息不一致');
    // IdCard's "no record" is not billed at the vendor; the bank-card actions' 持卡人信息有误 is.
    expect(resultRow('IdCardVerification', '-5')).toMatchObject({ billed: false, meaning: { verdict: 'not_found' } });
    expect(resultRow('BankCard2EVerification', '-4')).toMatchObject({ description: '持卡人信息有误', billed: true, meaning: { verdict: 'not_found' } });
  });

  it('reads an upstream Result back into a meaning (−2/−3 swap between IdCard and BankCard)', () => {
    expect(meaningOf('IdCardVerification', '-2')).toEqual({ verdict: 'invalid', field: 'idNumber' });
    expect(meaningOf('BankCardVerification', '-2')).toEqual({ verdict: 'invalid', field: 'name' });
    expect(meaningOf('IdCardVerification', '-1')).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(meaningOf('BankCardVerification', '-12')).toEqual({ verdict: 'card_state', state: 'lost' });
    expect(meaningOf('BankCard2EVerification', '-11')).toEqual({ verdict: 'card_state', state: 'lost' });
    expect(meaningOf('BankCard4EVerification', '-13')).toEqual({ verdict: 'card_state', state: 'lost' });
    expect(meaningOf('BankCard4EVerification', '-21')).toEqual({ verdict: 'card_state', state: 'abnormal' });
    expect(meaningOf('PhoneVerification', '-13')).toEqual({ verdict: 'unsupported', what: 'segment' });
    expect(meaningOf('BankCardVerification', '-19')).toEqual({ verdict: 'unsupported', what: 'certType' });
    expect(meaningOf('IdCardVerification', '-6')).toEqual({ verdict: 'unavailable' });
    expect(meaningOf('IdCardVerification', '-99')).toBeUndefined();
    expect(meaningOf('IdCardVerification', 'OK')).toBeUndefined();
  });

  it('gives every Result of a table once', () => {
    for (const action of ACTION_NAMES) expect(new Set(RESULTS[action].map((r) => r.result)).size).toBe(RESULTS[action].length);
  });
});

describe('the answers a server gives', () => {
  it.each(ACTION_NAMES)('%s: each answer is a row of its table meaning what it answers', (action) => {
    const a = ANSWERS[action];
    const meaning = (result: string | undefined) => (result === undefined ? undefined : meaningOf(action, result));
    expect(meaning(a.match)).toEqual({ verdict: 'match' });
    expect(meaning(a.mismatch)).toMatchObject({ verdict: 'mismatch' });
    expect(meaning(a.not_found)).toEqual({ verdict: 'not_found' });
    expect(meaning(a.unavailable)).toEqual({ verdict: 'unavailable' });
    expect(meaning(a.daily_limit)).toEqual({ verdict: 'daily_limit' });
    // One invalid-field Result for each factor the action carries, and only those.
    expect(Object.keys(a.invalid).sort()).toEqual([...KIND_FACTORS[ACTIONS[action].kind]].sort());
    for (const [field, result] of Object.entries(a.invalid)) expect(meaning(result)).toEqual({ verdict: 'invalid', field });
    const hasCertType = ACTIONS[action].params.some((p) => p.name === 'CertType');
    expect(a.certType !== undefined).toBe(hasCertType);
    if (hasCertType) expect(meaning(a.certType)).toEqual({ verdict: 'unsupported', what: 'certType' });
  });

  it('answers the codes the issue pins', () => {
    expect(Object.fromEntries(ACTION_NAMES.map((a) => [a, [ANSWERS[a].mismatch, ANSWERS[a].not_found, ANSWERS[a].unavailable, ANSWERS[a].daily_limit]]))).toEqual({
      IdCardVerification: ['-1', '-5', '-4', '-7'],
      BankCardVerification: ['-1', '-5', '-17', '-18'],
      BankCard2EVerification: ['-1', '-4', '-16', '-17'],
      BankCard4EVerification: ['-1', '-6', '-18', '-19'],
      PhoneVerification: ['-4', '-9', '-11', '-12'],
    });
    expect([ANSWERS.BankCardVerification.certType, ANSWERS.BankCard4EVerification.certType]).toEqual(['-19', '-20']);
  });
});

describe('PhoneVerification ResultDetail', () => {
  it('has the vendor\'s values and texts', () => {
    const doc = docOf('PhoneVerificationResponse', 'ResultDetail');
    const vendor = [...doc.matchAll(/^\s*(\w+Mismatch)[:：]\s*(.+?)。?\s*$/gm)].map(([, detail, description]) => [detail, description]);
    expect(RESULT_DETAILS.map((d) => [d.detail, d.description])).toEqual(vendor);
  });

  it('names the detail for the factors a mismatch lists, and reads it back', () => {
    expect(resultDetailFor(['name'])).toBe('PhoneNameMismatch');
    expect(resultDetailFor(['phone'])).toBe('PhoneNameIdCardMismatch');
    expect(resultDetailFor(['name', 'phone'])).toBe('NameIdCardMismatch');
    expect(resultDetailFor(['phone', 'name'])).toBe('NameIdCardMismatch');
    expect(resultDetailFor(['idNumber'])).toBe('PhoneIdCardMismatch');
    expect(resultDetailFor(['idNumber', 'name'])).toBe('PhoneNameIdCardMismatch');
    expect(resultDetailFor(undefined)).toBe('OtherMismatch');
    expect(resultDetailFor([])).toBe('OtherMismatch');
    expect(resultDetailFor(['bankCard'])).toBe('OtherMismatch');
    for (const detail of ['PhoneNameMismatch', 'PhoneIdCardMismatch', 'PhoneNameIdCardMismatch', 'OtherMismatch'] as const) {
      expect(resultDetailFor(mismatchedOfDetail(detail))).toBe(detail);
    }
    expect(mismatchedOfDetail('NameIdCardMismatch')).toEqual(['name']);
    expect(mismatchedOfDetail('SomethingNew')).toBeUndefined();
  });
});

describe('PhoneVerification Isp', () => {
  it('is the network of the number\'s segment, or ""', () => {
    expect(ispOf(carrierOf('13800138000'))).toBe('移动');
    expect(ispOf(carrierOf('13012345678'))).toBe('联通');
    expect(ispOf(carrierOf('13312345678'))).toBe('电信');
    expect(ispOf(carrierOf('19912345678'))).toBe('电信');
    expect(ispOf(carrierOf('17001234567'))).toBe('');
    expect(ispOf(carrierOf('19212345678'))).toBe('');
    expect(ispOf(undefined)).toBe('');
  });
});
