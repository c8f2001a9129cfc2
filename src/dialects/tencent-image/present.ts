import type { Refused } from '../../access/index.ts';
import type { Refusal } from '../../access/index.ts';
import type { Factor, InvalidReason, Outcome } from '../../core/index.ts';
import { messageOf, type TencentImageAnswer, type TencentImageCode } from '../../protocols/tencent-image/codes.ts';
import type { Exchange, WireAnswer } from '../define.ts';

/** Every refusal of the gate has its code here: the image service folds several into one (24). */
export const REFUSAL_CODES: Record<Refusal, TencentImageCode> = {
  body_too_large: 23,
  bad_request: 21,
  // The body's appid is a required field of the image service: missing, it is an invalid parameter.
  appid_missing: 21,
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
  // The image service has no operations, versions or encryption of its own: a request naming them is an invalid parameter.
  action_unknown: 21,
  version_unknown: 21,
  parameter_missing: 21,
  parameter_invalid: 21,
  parameter_unknown: 21,
  parameter_value_invalid: 21,
  encryption_unsupported: 21,
  suspended: 3,
  not_permitted: 24,
  ip_denied: 24,
  rate_limited: 15,
  // Not in this dialect's order; an identity checked too often is, like a client calling too often, 操作太频繁.
  daily_limited: 15,
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

export interface Answer {
  code: TencentImageCode;
  message: string;
}

function answer(code: TencentImageCode): Answer {
  return { code, message: messageOf(code) };
}

export function presentRefusal(refusal: Refusal): Answer {
  return answer(REFUSAL_CODES[refusal]);
}

export function presentOutcome(outcome: Outcome): Answer {
  return answer(outcomeCode(outcome));
}

/** The code of an outcome: the core's verdict in the vendor's terms. */
export function outcomeCode(outcome: Outcome): TencentImageCode {
  switch (outcome.verdict) {
    case 'match':
      return 0;
    case 'not_found':
      return -5807;
    case 'mismatch': {
      // The person comes first: a name that is not the ID's owner answers -5803 even if the card is also wrong.
      const wrong = outcome.mismatched ?? [];
      const cardOnly = wrong.includes('bankCard') && !wrong.includes('name') && !wrong.includes('idNumber');
      return cardOnly ? -5809 : -5803;
    }
    case 'invalid': {
      const rule = INVALID_CODES[outcome.invalid.field];
      return rule.byReason?.[outcome.invalid.reason] ?? rule.code;
    }
    case 'unavailable':
      return outcome.unavailable === 'unreachable' ? 108 : 107;
  }
}

/** Every answer is HTTP 200 with the vendor's `{code, message, data: {session_id}}`. */
export function present(decision: Refused | { outcome: Outcome }, exchange: Exchange): WireAnswer {
  const code = 'outcome' in decision ? outcomeCode(decision.outcome) : REFUSAL_CODES[decision.refusal];
  const payload: TencentImageAnswer = { code, message: messageOf(code), data: { session_id: exchange.checkId } };
  return { code: String(code), payload };
}
