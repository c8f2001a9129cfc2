import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../../../src/access/refusal.ts';
import { KIND_FACTORS } from '../../../src/core/factors.ts';
import { INVALID_REASONS, isBilled, type Outcome } from '../../../src/core/outcome.ts';
import { BILLING } from '../../../src/dialects/tencentcloud/billing.ts';
import { ERROR_TABLE, RESULT_TABLES } from '../../../src/dialects/tencentcloud/codes.ts';
import { ACTION_OF_KIND, errorOf, MISSING_HEADERS, present, REFUSAL_ANSWERS, resultOf } from '../../../src/dialects/tencentcloud/present.ts';
import type { Exchange } from '../../../src/dialects/define.ts';
import { ACTIONS, ACTION_NAMES, ERRORS, RESULTS, type ActionName } from '../../../src/protocols/tencentcloud/index.ts';

const CHECK_ID = '0123456789abcdef0123456789abcdef';
const exchange = (action: ActionName | null, answerOptions?: Record<string, string>): Exchange => ({
  checkId: CHECK_ID,
  startedAt: 0,
  kind: action === null ? null : ACTIONS[action].kind,
  route: '/',
  appid: '1',
  factors: {},
  ...(answerOptions ? { answerOptions } : {}),
});
const outcome = (action: ActionName, o: Partial<Outcome>): Outcome => ({ checkId: CHECK_ID, kind: ACTIONS[action].kind, verdict: 'match', source: 's', billed: false, ...o }) as Outcome;
const rowOf = (action: ActionName, result: string) => RESULTS[action].find((r) => r.result === result);

describe('the FaceID dialect\'s tables', () => {
  it('answers every refusal of the gate: an Error of the vendor\'s codes, or the daily limit as each action\'s Result', () => {
    expect(Object.keys(REFUSAL_ANSWERS).sort()).toEqual([...REFUSALS].sort());
    const codes = new Set(ERROR_TABLE.map((r) => r.code));
    for (const refusal of REFUSALS) {
      if (REFUSAL_ANSWERS[refusal] === 'daily_limit') continue;
      expect(codes.has(errorOf({ refusal }).Code), refusal).toBe(true);
    }
    for (const action of ACTION_NAMES) {
      const wire = present({ refusal: 'daily_limited' }, exchange(action));
      const result = (wire.payload as { Response: { Result: string } }).Response.Result;
      expect(rowOf(action, result)).toMatchObject({ billed: false, meaning: { verdict: 'daily_limit' } });
    }
  });

  it('pins the issue\'s codes', () => {
    const pinned: Record<string, string> = {
      signature_invalid: 'AuthFailure.SignatureFailure',
      timestamp_expired: 'AuthFailure.SignatureExpire',
      secret_unknown: 'AuthFailure.SecretIdNotFound',
      signature_missing: 'AuthFailure.InvalidAuthorization',
      signature_malformed: 'AuthFailure.InvalidAuthorization',
      action_unknown: 'InvalidAction',
      version_unknown: 'NoSuchVersion',
      parameter_missing: 'MissingParameter',
      parameter_invalid: 'InvalidParameter',
      bad_request: 'InvalidParameter',
      parameter_unknown: 'UnknownParameter',
      body_too_large: 'RequestSizeLimitExceeded',
      rate_limited: 'RequestLimitExceeded',
      quota_exhausted: 'LimitExceeded',
      suspended: 'UnauthorizedOperation.Arrears',
      not_permitted: 'UnauthorizedOperation.Nonactivated',
      ip_denied: 'IpNotInWhitelist',
      encryption_unsupported: 'UnsupportedOperation',
      internal: 'InternalError',
    };
    for (const [refusal, code] of Object.entries(pinned)) expect(errorOf({ refusal: refusal as (typeof REFUSALS)[number] }).Code, refusal).toBe(code);
    expect(errorOf({ refusal: 'quota_exhausted' }).Message).toBe('您购买的资源已用完');
  });

  it('names the field in a message, and the header where a common parameter is missing', () => {
    expect(errorOf({ refusal: 'parameter_missing', detail: 'Name' }).Message).toBe('The request is missing the required parameter Name.');
    expect(errorOf({ refusal: 'parameter_missing', detail: 'X-TC-Action' })).toEqual({ Code: 'MissingParameter', Message: 'The request is missing the header X-TC-Action.' });
    expect(errorOf({ refusal: 'parameter_unknown', detail: 'Encryption.Key' }).Message).toContain('Encryption.Key');
    expect(errorOf({ refusal: 'parameter_invalid' }).Message).not.toContain('{parameter}');
  });

  it('leaves no row of the Error table unreachable, and lists each Error once', () => {
    const reached = new Set([...Object.values(REFUSAL_ANSWERS), ...Object.values(MISSING_HEADERS)]);
    const listed = ERROR_TABLE.map((r) => `${r.code} ${r.message}`);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual(
      (Object.keys(ERRORS) as (keyof typeof ERRORS)[])
        .filter((m) => reached.has(m))
        .map((m) => `${ERRORS[m].code} ${ERRORS[m].message}`)
        .sort(),
    );
  });

  it('gives every action its vendor table, each Result once, with the billed column', () => {
    for (const action of ACTION_NAMES) {
      const table = RESULT_TABLES[action]!;
      expect(table.map((r) => r.code)).toEqual(RESULTS[action].map((r) => r.result));
      for (const row of table) expect(row.meaning).toMatch(rowOf(action, String(row.code))!.billed ? /; billed$/ : /; not billed$/);
    }
  });
});

describe('outcomes in each action\'s Results', () => {
  const expected: Record<ActionName, Record<string, string>> = {
    IdCardVerification: { match: '0', mismatch: '-1', not_found: '-5', unavailable: '-4', idNumber: '-2', name: '-3' },
    BankCardVerification: { match: '0', mismatch: '-1', not_found: '-5', unavailable: '-17', name: '-2', idNumber: '-3', bankCard: '-4', certificate: '-19' },
    BankCard2EVerification: { match: '0', mismatch: '-1', not_found: '-4', unavailable: '-16', name: '-2', bankCard: '-3' },
    BankCard4EVerification: { match: '0', mismatch: '-1', not_found: '-6', unavailable: '-18', name: '-2', idNumber: '-3', bankCard: '-4', phone: '-5', certificate: '-20' },
    PhoneVerification: { match: '0', mismatch: '-4', not_found: '-9', unavailable: '-11', phone: '-6', idNumber: '-7', name: '-8' },
  };

  it.each(ACTION_NAMES)('%s: verdicts, each invalid field whatever the reason, and CertType', (action) => {
    const want = expected[action];
    for (const verdict of ['match', 'not_found'] as const) expect(resultOf(action, outcome(action, { verdict }))).toBe(want[verdict]);
    expect(resultOf(action, outcome(action, { verdict: 'mismatch', mismatched: ['name'] }))).toBe(want.mismatch);
    for (const unavailable of ['error', 'unreachable'] as const) expect(resultOf(action, outcome(action, { verdict: 'unavailable', unavailable }))).toBe(want.unavailable);
    for (const field of KIND_FACTORS[ACTIONS[action].kind]) {
      for (const reason of INVALID_REASONS.filter((r) => r !== 'certificate')) {
        const result = resultOf(action, outcome(action, { verdict: 'invalid', invalid: { field, reason } }));
        expect(result, `${field} ${reason}`).toBe(want[field]);
        expect(rowOf(action, result!)?.billed).toBe(false);
      }
    }
    const certificate = resultOf(action, outcome(action, { verdict: 'invalid', invalid: { field: 'idNumber', reason: 'certificate' } }));
    expect(certificate).toBe(want.certificate);
  });

  it('bills as the vendor\'s billed column says', () => {
    for (const action of ACTION_NAMES) {
      const kind = ACTIONS[action].kind;
      for (const verdict of ['match', 'mismatch', 'not_found'] as const) {
        expect(isBilled(BILLING, kind, verdict), `${action} ${verdict}`).toBe(rowOf(action, expected[action][verdict]!)!.billed);
      }
    }
    expect(isBilled(BILLING, 'idcard2', 'not_found')).toBe(false);
    expect(isBilled(BILLING, 'phone3', 'not_found')).toBe(false);
    for (const kind of ['bankcard2', 'bankcard3', 'bankcard4'] as const) expect(isBilled(BILLING, kind, 'not_found')).toBe(true);
  });

  it('answers the envelope: Result, Description, Isp for PhoneVerification, ResultDetail only with VerifyMode "1", RequestId as a UUID', () => {
    const mismatch = outcome('PhoneVerification', { verdict: 'mismatch', mismatched: ['name'], phone: { carrier: '中国联通' } });
    expect(present({ outcome: mismatch }, exchange('PhoneVerification')).payload).toEqual({
      Response: { Result: '-4', Description: '三要素信息不一致', Isp: '联通', RequestId: '01234567-89ab-cdef-0123-456789abcdef' },
    });
    expect(present({ outcome: mismatch }, exchange('PhoneVerification', { verifyMode: '1' }))).toMatchObject({
      code: '-4',
      payload: { Response: { ResultDetail: 'PhoneNameMismatch' } },
    });
    expect(present({ outcome: outcome('IdCardVerification', {}) }, exchange('IdCardVerification')).payload).toEqual({
      Response: { Result: '0', Description: '姓名和身份证号一致', RequestId: '01234567-89ab-cdef-0123-456789abcdef' },
    });
    expect(present({ refusal: 'action_unknown' }, exchange(null))).toMatchObject({
      code: 'InvalidAction',
      payload: { Response: { Error: { Code: 'InvalidAction' }, RequestId: '01234567-89ab-cdef-0123-456789abcdef' } },
    });
    expect(present({ refusal: 'suspended' }, exchange('IdCardVerification', { traceId: 'abc' })).headers).toEqual({ 'x-tc-traceid': 'abc' });
  });

  it('maps each check kind to its one action', () => {
    expect(ACTION_OF_KIND).toEqual({
      idcard2: 'IdCardVerification',
      bankcard3: 'BankCardVerification',
      bankcard2: 'BankCard2EVerification',
      bankcard4: 'BankCard4EVerification',
      phone3: 'PhoneVerification',
    });
  });
});
