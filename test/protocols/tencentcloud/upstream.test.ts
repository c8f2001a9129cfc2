import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, RESULTS, resultDetailFor, type ActionName } from '../../../src/protocols/tencentcloud/index.ts';
import { ERROR_READINGS, readAnswer, requestBody, type FaceidPeer } from '../../../src/protocols/tencentcloud/upstream.ts';

const PEERS: FaceidPeer[] = ['tencentcloud', 'realname'];
const ok = (fields: Record<string, unknown>) => ({ Response: { ...fields, RequestId: '00000000-0000-4000-8000-000000000000' } });
const result = (action: ActionName, r: string, peer: FaceidPeer, extra: Record<string, unknown> = {}) => readAnswer(action, ok({ Result: r, Description: 'x', ...extra }), peer);
const BANK_ACTIONS = ['BankCardVerification', 'BankCard2EVerification', 'BankCard4EVerification'] as const;

describe("FaceID's upstream table", () => {
  it.each(ACTION_NAMES)('%s: every Result has a verdict; what the vendor bills is a verdict, billed; what it does not bill hands over', (action) => {
    for (const peer of PEERS) {
      for (const row of RESULTS[action]) {
        const read = result(action, row.result, peer)!;
        expect(read.code).toBe(`${action}/${row.result}`);
        if (row.billed) {
          expect(read.verdict.verdict).not.toBe('unavailable');
          expect(read.verdict.billed).toBe(true);
        } else if (row.meaning.verdict === 'match' || row.meaning.verdict === 'not_found') {
          expect(read.verdict).toEqual({ verdict: row.meaning.verdict, billed: false });
        } else {
          // Invalid input by the vendor's judgement, 服务繁忙, its daily limit, an unsupported type or segment.
          expect(read.verdict, `${action} ${row.result}`).toEqual({ verdict: 'unavailable', billed: false, next: true });
        }
      }
    }
  });

  it('reads a card state as a billed mismatch on the card, never a no-record that would fall through to a second paid vendor', () => {
    const lost = { BankCardVerification: '-12', BankCard2EVerification: '-11', BankCard4EVerification: '-13' } as const;
    for (const peer of PEERS) {
      for (const action of BANK_ACTIONS) {
        expect(result(action, lost[action], peer)?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'], billed: true });
        const states = RESULTS[action].filter((r) => r.meaning.verdict === 'card_state');
        expect(states.length).toBe(12);
        for (const row of states) expect(result(action, row.result, peer)?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'], billed: true });
      }
    }
  });

  it("reads Tencent Cloud's 持卡人信息有误 as a mismatch on the card, and a Realname's as the billed no-record it documents", () => {
    const holder = { BankCardVerification: '-5', BankCard2EVerification: '-4', BankCard4EVerification: '-6' } as const;
    for (const action of BANK_ACTIONS) {
      expect(result(action, holder[action], 'tencentcloud')?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'], billed: true });
      expect(result(action, holder[action], 'realname')?.verdict).toEqual({ verdict: 'not_found', billed: true });
    }
    // The ID and phone actions' no-record is unbilled, from either.
    for (const peer of PEERS) {
      expect(result('IdCardVerification', '-5', peer)?.verdict).toEqual({ verdict: 'not_found', billed: false });
      expect(result('PhoneVerification', '-9', peer)?.verdict).toEqual({ verdict: 'not_found', billed: false });
    }
  });

  it('names the factor of a mismatch where the answer does', () => {
    for (const peer of PEERS) {
      expect(result('IdCardVerification', '-1', peer)?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['name'], billed: true });
      expect(result('BankCardVerification', '-1', peer)?.verdict).toEqual({ verdict: 'mismatch', mismatched: [], billed: true });
      expect(result('PhoneVerification', '-4', peer)?.verdict).toEqual({ verdict: 'mismatch', mismatched: [], billed: true });
      expect(result('PhoneVerification', '-4', peer, { ResultDetail: 'PhoneNameMismatch' })?.verdict).toMatchObject({ mismatched: ['name'] });
      expect(result('PhoneVerification', '-4', peer, { ResultDetail: 'OtherMismatch' })?.verdict).toMatchObject({ mismatched: [] });
      expect(result('PhoneVerification', '-4', peer, { ResultDetail: 'Unheard' })?.verdict).toMatchObject({ mismatched: [] });
    }
    // A Realname writes the detail from the factors its record disagrees with: read back, they are the same factors.
    for (const set of [['name'], ['phone'], ['name', 'phone']] as const) {
      expect(result('PhoneVerification', '-4', 'realname', { ResultDetail: resultDetailFor(set) })?.verdict).toMatchObject({ mismatched: set });
    }
    expect(result('PhoneVerification', '-4', 'tencentcloud', { ResultDetail: 'NameIdCardMismatch' })?.verdict).toMatchObject({ mismatched: ['name'] });
    expect(result('PhoneVerification', '-4', 'tencentcloud', { ResultDetail: 'PhoneIdCardMismatch' })?.verdict).toMatchObject({ mismatched: ['idNumber'] });
  });

  it('reads every Error envelope as unbilled, another source may be asked: the vendor unavailable, or refusing our request', () => {
    const error = (code: string) => readAnswer('IdCardVerification', ok({ Error: { Code: code, Message: 'm' } }), 'tencentcloud');
    const handOver = { verdict: 'unavailable', billed: false, next: true };
    expect(error('InternalError')).toEqual({ code: 'InternalError', verdict: handOver, error: 'unavailable' });
    expect(error('InternalError.UnKnown')?.error).toBe('unavailable');
    expect(error('ServiceUnavailable')?.error).toBe('unavailable');
    expect(error('FailedOperation.UnKnown')?.error).toBe('unavailable');
    for (const code of ['AuthFailure.SignatureFailure', 'AuthFailure.SecretIdNotFound', 'AuthFailure.SignatureExpire', 'UnauthorizedOperation.Arrears', 'UnauthorizedOperation.Nonactivated', 'RequestLimitExceeded.UinLimitExceeded', 'LimitExceeded', 'InvalidParameterValue', 'IpNotInWhitelist']) {
      expect(error(code), code).toEqual({ code, verdict: handOver, error: 'refused' });
    }
    expect(error('SomethingNew.Entirely')).toEqual({ code: 'SomethingNew.Entirely', verdict: handOver, error: 'unavailable' });
    expect(new Set(Object.values(ERROR_READINGS))).toEqual(new Set(['unavailable', 'refused']));
  });

  it('treats a Result its table lacks as possibly billed: no verdict, and no other source asked', () => {
    expect(result('IdCardVerification', '-99', 'tencentcloud')).toEqual({ code: 'IdCardVerification/-99', verdict: { verdict: 'unavailable', billed: false, next: false } });
  });

  it('finds no answer in what is not the API 3.0 envelope', () => {
    for (const body of [undefined, 'garbage', [1], {}, { Response: null }, { Response: 'x' }, { Response: { Result: 0 } }, { Response: { Error: { Code: 7 } } }, { Response: { Error: { Code: '' } } }, { Result: '0' }]) {
      expect(readAnswer('IdCardVerification', body, 'tencentcloud')).toBeUndefined();
    }
  });
});

describe('the request bodies', () => {
  const factors = { idNumber: '11010519491231002X', name: '张三', bankCard: '6222020200000000000', phone: '13800138000' };

  it("carry the action's factors in its field order, nothing optional but the detailed phone mode asked for", () => {
    expect(JSON.stringify(requestBody('IdCardVerification', factors))).toBe('{"IdCard":"11010519491231002X","Name":"张三"}');
    expect(Object.keys(requestBody('BankCardVerification', factors)!)).toEqual(['IdCard', 'Name', 'BankCard']);
    expect(Object.keys(requestBody('BankCard2EVerification', factors)!)).toEqual(['Name', 'BankCard']);
    expect(Object.keys(requestBody('BankCard4EVerification', factors)!)).toEqual(['Name', 'BankCard', 'Phone', 'IdCard']);
    expect(requestBody('PhoneVerification', factors, '1')).toEqual({ IdCard: factors.idNumber, Name: factors.name, Phone: factors.phone, VerifyMode: '1' });
    expect(requestBody('IdCardVerification', factors, '1')).not.toHaveProperty('VerifyMode');
    expect(requestBody('BankCardVerification', { idNumber: factors.idNumber, name: factors.name })).toBeUndefined();
  });
});
