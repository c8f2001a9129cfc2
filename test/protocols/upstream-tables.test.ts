import { describe, expect, it } from 'vitest';
import { BIZ_CODES, readAnswer as readAliyun } from '../../src/protocols/aliyun/actions.ts';
import { CODE_TABLE as SUBMAIL_CODES } from '../../src/protocols/submail/codes.ts';
import { readAnswer as readSubmail, UPSTREAM_CODES as SUBMAIL_UPSTREAM } from '../../src/protocols/submail/upstream.ts';
import { CODE_TABLE as IMAGE_CODES } from '../../src/protocols/tencent-image/codes.ts';
import { readAnswer as readImage, UPSTREAM_CODES as IMAGE_UPSTREAM } from '../../src/protocols/tencent-image/upstream.ts';

describe("each vendor's upstream table", () => {
  it('gives every code of the image service and of SUBMAIL a verdict, billing and failover rule', () => {
    expect(Object.keys(IMAGE_UPSTREAM).map(Number).sort()).toEqual(IMAGE_CODES.map((r) => r.code).sort());
    expect(Object.keys(SUBMAIL_UPSTREAM).sort()).toEqual(SUBMAIL_CODES.map((r) => r.code).sort());
    for (const v of [...Object.values(IMAGE_UPSTREAM), ...Object.values(SUBMAIL_UPSTREAM)]) {
      if (v.verdict === 'unavailable') expect(v).toEqual({ verdict: 'unavailable', billed: false, next: true });
      else expect(v.billed).toBe(true);
    }
  });

  it("reads the image service's verdicts, naming the factor that differs", () => {
    expect(readImage({ code: 0, message: 'OK', data: { session_id: 'x' } })).toEqual({ code: '0', verdict: { verdict: 'match', billed: true } });
    expect(readImage({ code: -5809 })?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'], billed: true });
    expect(readImage({ code: -5807 })?.verdict).toEqual({ verdict: 'not_found', billed: true });
    expect(readImage({ code: 108 })?.verdict).toEqual({ verdict: 'unavailable', billed: false, next: true });
    expect(readImage({ code: '0' })).toBeUndefined();
    expect(readImage('garbage')).toBeUndefined();
  });

  it("reads SUBMAIL's bank_status and identical, and its error codes", () => {
    expect(readSubmail('idcard2', { status: 'success', result: { bank_status: '02' } })?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['name'], billed: true });
    expect(readSubmail('bankcard3', { status: 'success', result: { identical: 'false', remark: '库中无此身份证记录' } })?.verdict).toEqual({ verdict: 'not_found', billed: true });
    // Any other "false" (the card's state among them) is a mismatch: it never falls through to a second paid vendor.
    expect(readSubmail('bankcard3', { status: 'success', result: { identical: 'false', remark: '认证信息不匹配' } })?.verdict).toEqual({ verdict: 'mismatch', mismatched: [], billed: true });
    expect(readSubmail('idcard2', { status: 'error', code: '1223', msg: 'Database Error' })).toEqual({ code: '1223', verdict: { verdict: 'unavailable', billed: false, next: true } });
    expect(readSubmail('idcard2', { status: 'success', result: { bank_status: '09' } })).toBeUndefined();
  });

  it('reads cloudauth: BizCode 1 and 2 billed, 3 not; a card state (SubCode 2xx) is a mismatch, never a no-record', () => {
    expect(Object.keys(BIZ_CODES)).toEqual(['1', '2', '3']);
    const ok = (result: object) => ({ RequestId: 'r', Code: '200', Message: 'success', ResultObject: result });
    expect(readAliyun('idcard2', ok({ BizCode: '1' }))).toEqual({ code: '1', verdict: { verdict: 'match', billed: true } });
    expect(readAliyun('idcard2', ok({ BizCode: '2' }))?.verdict).toEqual({ verdict: 'mismatch', mismatched: ['name'], billed: true });
    for (const sub of ['201', '208', '216']) expect(readAliyun('bankcard3', ok({ BizCode: '2', SubCode: sub }))?.verdict).toMatchObject({ verdict: 'mismatch', billed: true });
    expect(readAliyun('bankcard3', ok({ BizCode: '3', SubCode: '301' }))).toEqual({ code: '3/301', verdict: { verdict: 'not_found', billed: false } });
    expect(readAliyun('idcard2', { Code: '412', Message: '欠费' })).toEqual({ code: '412', verdict: { verdict: 'unavailable', billed: false, next: true } });
    expect(readAliyun('idcard2', ok({ BizCode: '7' }))).toBeUndefined();
    expect(readAliyun('idcard2', [1, 2])).toBeUndefined();
  });
});
