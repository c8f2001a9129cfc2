import type { Refusal, Refused } from '../../access/index.ts';
import { checkIdAsUuid, type CheckKind, type Outcome } from '../../core/index.ts';
import {
  ACTIONS,
  ACTION_NAMES,
  ANSWERS,
  errorFor,
  ispOf,
  resultDetailFor,
  resultRow,
  type ActionName,
  type Answers,
  type SentErrorMeaning,
} from '../../protocols/tencentcloud/index.ts';
import type { Exchange, WireAnswer } from '../define.ts';

/** Each check kind is one action's (a 1:1 map: the action names the kind). */
export const ACTION_OF_KIND = Object.fromEntries(ACTION_NAMES.map((a) => [ACTIONS[a].kind, a])) as Record<CheckKind, ActionName>;

/**
 * Every refusal of the gate has its answer here: an Error envelope of the vendor's codes, or — the
 * identity daily limit — the action's own Result (认证次数超过当日限制), as the vendor answers it.
 * Refusals no step of this dialect makes (there is no appid, bucket or single-use signature in TC3)
 * are given the code a client would make sense of.
 */
export const REFUSAL_ANSWERS: Record<Refusal, SentErrorMeaning | 'daily_limit'> = {
  body_too_large: 'body_too_large',
  bad_request: 'body_invalid',
  appid_missing: 'authorization_malformed',
  signature_missing: 'authorization_missing',
  signature_malformed: 'authorization_malformed',
  app_unknown: 'secret_unknown',
  secret_unknown: 'secret_unknown',
  secret_app_mismatch: 'secret_unknown',
  target_mismatch: 'signature_invalid',
  bucket_unknown: 'signature_invalid',
  signature_invalid: 'signature_invalid',
  signature_expired: 'signature_expired',
  timestamp_invalid: 'timestamp_invalid',
  timestamp_expired: 'signature_expired',
  replayed: 'signature_invalid',
  action_unknown: 'action_unknown',
  version_unknown: 'version_unknown',
  parameter_missing: 'parameter_missing',
  parameter_invalid: 'parameter_invalid',
  parameter_unknown: 'parameter_unknown',
  parameter_value_invalid: 'parameter_value_invalid',
  encryption_unsupported: 'encryption_unsupported',
  suspended: 'suspended',
  not_permitted: 'not_permitted',
  ip_denied: 'ip_denied',
  rate_limited: 'rate_limited',
  daily_limited: 'daily_limit',
  quota_exhausted: 'quota_exhausted',
  internal: 'internal',
};

/** A common header the request lacks has its own message (MissingParameter all the same). */
export const MISSING_HEADERS: Readonly<Record<string, SentErrorMeaning>> = {
  'X-TC-Timestamp': 'timestamp_missing',
  'X-TC-Action': 'action_missing',
  'X-TC-Version': 'version_missing',
};

/** The Error of a refusal that is one (the message names `detail`, a field, never a value). */
export function errorOf(refused: Refused): { Code: string; Message: string } {
  const answer = REFUSAL_ANSWERS[refused.refusal];
  const header = refused.refusal === 'parameter_missing' && refused.detail !== undefined ? MISSING_HEADERS[refused.detail] : undefined;
  return errorFor(header ?? (answer === 'daily_limit' ? 'internal' : answer), refused.detail);
}

/**
 * The Result of an outcome for an action (undefined: none fits, which validation of the action's own
 * factors never gives). Invalid factors answer each action's own code — mind -2/-3, which swap between
 * IdCardVerification and the bank-card actions.
 */
export function resultOf(action: ActionName, outcome: Outcome): string | undefined {
  const answers: Answers = ANSWERS[action];
  switch (outcome.verdict) {
    case 'match':
    case 'mismatch':
    case 'not_found':
    case 'unavailable':
      return answers[outcome.verdict];
    case 'invalid':
      return outcome.invalid.reason === 'certificate' ? answers.certType : answers.invalid[outcome.invalid.field];
  }
}

interface ResultBody {
  Result: string;
  Description: string;
  Isp?: string;
  ResultDetail?: string;
  RequestId: string;
}

function resultBody(action: ActionName, result: string, requestId: string, outcome: Outcome | undefined, detailed: boolean): ResultBody {
  const body: ResultBody = { Result: result, Description: resultRow(action, result)!.description, RequestId: requestId };
  if (action === 'PhoneVerification') {
    body.Isp = ispOf(outcome?.phone?.carrier);
    if (detailed && outcome?.verdict === 'mismatch') body.ResultDetail = resultDetailFor(outcome.mismatched);
  }
  return body;
}

/**
 * Every answer is HTTP 200 with {"Response":{…,"RequestId"}} — the official SDK drops the code of any
 * other status. RequestId is the check id as a UUID; the trace id the client sent comes back as a header.
 */
export function present(decision: Refused | { outcome: Outcome }, exchange: Exchange): WireAnswer {
  const requestId = checkIdAsUuid(exchange.checkId);
  const traceId = exchange.answerOptions?.traceId;
  const headers = traceId ? { 'x-tc-traceid': traceId } : undefined;
  const action = exchange.kind === null ? undefined : ACTION_OF_KIND[exchange.kind];
  const answer = (code: string, Response: object): WireAnswer => (headers ? { code, payload: { Response }, headers } : { code, payload: { Response } });
  const error = (refused: Refused): WireAnswer => {
    const Error = errorOf(refused);
    return answer(Error.Code, { Error, RequestId: requestId });
  };

  if ('outcome' in decision) {
    const result = action && resultOf(action, decision.outcome);
    if (!action || result === undefined) return error({ refusal: 'internal' });
    return answer(result, resultBody(action, result, requestId, decision.outcome, exchange.answerOptions?.verifyMode === '1'));
  }
  if (REFUSAL_ANSWERS[decision.refusal] === 'daily_limit' && action) {
    const result = ANSWERS[action].daily_limit;
    return answer(result, resultBody(action, result, requestId, undefined, false));
  }
  return error(decision);
}
