import type { Refusal } from '../../access/refusal.ts';
import type { Factor } from '../../core/factors.ts';
import type { InvalidReason, Outcome } from '../../core/outcome.ts';

/**
 * The dialect's one code table: every answer it gives is a row here. Messages are the vendor's
 * (Chinese, as documented); -5808 and -5809 are ours for the bank-card verdicts the vendor folds elsewhere.
 * `meaning` is the English gloss the README table is generated from.
 */
export const CODE_TABLE = [
  { code: 0, message: 'OK', meaning: 'the factors belong together' },
  { code: 3, message: 'account abnormal,errorno is:2', meaning: 'the app is suspended (arrears)' },
  { code: 4, message: '签名为空', meaning: 'no Authorization header' },
  { code: 5, message: '签名串错误', meaning: 'malformed signature, `t` more than 5 minutes ahead, or `e` more than 90 days after `t`' },
  { code: 6, message: '签名中的 appid/bucket 与操作目标不匹配', meaning: "the signature's appid/bucket differs from the request's" },
  { code: 9, message: '签名过期', meaning: 'signature expired (or a single-use `e=0` signature with `t` outside ±5 minutes)' },
  { code: 10, message: 'appid 不存在', meaning: 'unknown appid' },
  { code: 11, message: 'secretid 不存在', meaning: 'unknown or revoked SecretId' },
  { code: 12, message: 'appid 和 secretid 不匹配', meaning: 'the SecretId belongs to another app' },
  { code: 13, message: '重放攻击', meaning: 'single-use signature used again' },
  { code: 14, message: '签名校验失败', meaning: 'HMAC does not match' },
  { code: 15, message: '操作太频繁，触发频控', meaning: "over the app's QPS" },
  { code: 16, message: 'bucket 不存在', meaning: 'unknown bucket' },
  { code: 21, message: '无效参数', meaning: 'missing or ill-typed field, unsupported content type, broken JSON' },
  { code: 23, message: '请求包体过大', meaning: 'body over the limit (default 16 KiB)' },
  { code: 24, message: '没有权限', meaning: "check not permitted for the app, or client IP outside its allow-list" },
  { code: 25, message: '您购买的资源已用完', meaning: 'quota used up' },
  { code: 107, message: '鉴权服务不可用', meaning: 'a source answered with an error' },
  { code: 108, message: '鉴权服务不可用', meaning: 'a source was unreachable or timed out' },
  { code: 213, message: '内部错误', meaning: 'unexpected fault (logged with the session id)' },
  { code: -5803, message: '身份证号码与姓名不匹配', meaning: 'ID number and name do not match' },
  { code: -5804, message: '身份证号码无效', meaning: 'invalid ID number (checksum, region, birth date)' },
  { code: -5806, message: '身份证号码或者姓名格式错误', meaning: 'bad format (length, characters) of ID number or name' },
  { code: -5807, message: '查询身份证信息失败', meaning: 'no record for this ID number (or no bank card on file for the person)' },
  { code: -5808, message: '银行卡号无效', meaning: 'invalid bank card number (ours)' },
  { code: -5809, message: '银行卡号与身份信息不匹配', meaning: "the bank card is not this person's (ours)" },
] as const;

export type TencentImageCode = (typeof CODE_TABLE)[number]['code'];
export interface Answer {
  code: TencentImageCode;
  message: string;
}

const MESSAGES = new Map<number, string>(CODE_TABLE.map((row) => [row.code, row.message]));

function answer(code: TencentImageCode): Answer {
  return { code, message: MESSAGES.get(code) as string };
}

/** Every refusal of the access layer, whichever dialect raises it, has its code here. */
export const REFUSAL_CODES: Record<Refusal, TencentImageCode> = {
  body_too_large: 23,
  bad_request: 21,
  signature_missing: 4,
  signature_malformed: 5,
  app_unknown: 10,
  secret_unknown: 11,
  secret_app_mismatch: 12,
  target_mismatch: 6,
  bucket_unknown: 16,
  signature_invalid: 14,
  signature_expired: 9,
  timestamp_invalid: 5,
  timestamp_expired: 9,
  replayed: 13,
  suspended: 3,
  not_permitted: 24,
  ip_denied: 24,
  rate_limited: 15,
  quota_exhausted: 25,
  internal: 213,
};

/**
 * Offline rejects: a field's code, with per-reason exceptions. An ID number that is well-formed but
 * impossible (checksum, region, birth date) is -5804; a malformed one is -5806, as the vendor splits them.
 */
export const INVALID_CODES: Record<Factor, { code: TencentImageCode; byReason?: Partial<Record<InvalidReason, TencentImageCode>> }> = {
  idNumber: { code: -5806, byReason: { checksum: -5804, region: -5804, birthDate: -5804 } },
  name: { code: -5806 },
  bankCard: { code: -5808 },
  // No route of this dialect carries a phone; should one reach here it is an invalid parameter.
  phone: { code: 21 },
};

export function presentRefusal(refusal: Refusal): Answer {
  return answer(REFUSAL_CODES[refusal]);
}

export function presentOutcome(outcome: Outcome): Answer {
  switch (outcome.verdict) {
    case 'match':
      return answer(0);
    case 'not_found':
      return answer(-5807);
    case 'mismatch': {
      // The person comes first: a name that is not the ID's owner answers -5803 even if the card is also wrong.
      const wrong = outcome.mismatched ?? [];
      const cardOnly = wrong.includes('bankCard') && !wrong.includes('name') && !wrong.includes('idNumber');
      return answer(cardOnly ? -5809 : -5803);
    }
    case 'invalid': {
      if (!outcome.invalid) return answer(21);
      const rule = INVALID_CODES[outcome.invalid.field];
      return answer(rule.byReason?.[outcome.invalid.reason] ?? rule.code);
    }
    case 'unavailable':
      return answer(outcome.unavailable === 'unreachable' ? 108 : 107);
  }
}
