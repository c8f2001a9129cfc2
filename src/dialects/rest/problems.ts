import type { Refusal } from '../../access/index.ts';

/** A refusal as /v1 answers it: an RFC 9457 problem with a stable name (its `type` is urn:realname:problem:<name>). */
export interface ProblemKind {
  status: number;
  title: string;
  /** When the answer says so: `Retry-After` seconds, fixed or from the clock. */
  retryAfter?: number | ((nowMs: number) => number);
  /** For README: when it is answered. */
  when: string;
}

const DAY_S = 86_400;
/** Seconds until the next Asia/Shanghai midnight (UTC+8, no daylight saving): when an identity's day count starts again. */
const untilShanghaiMidnight = (nowMs: number) => DAY_S - (Math.floor(nowMs / 1000 + 8 * 3600) % DAY_S);

export const PROBLEMS = {
  api_key_missing: { status: 401, title: 'An API key is needed', when: 'no Authorization header (Bearer rn_live_…)' },
  api_key_malformed: { status: 401, title: 'The API key is malformed', when: 'Authorization is not `Bearer rn_live_<key id>_<secret>` (the scheme in any case: bearer, BEARER)' },
  api_key_invalid: { status: 401, title: 'The API key is not valid', when: 'no such key, or not that key’s secret' },
  api_key_revoked: { status: 401, title: 'The API key was revoked', when: '`realname apps keys revoke` revoked it' },
  body_too_large: { status: 413, title: 'The body is too large', when: 'the body is over the limit (--body-limit)' },
  unsupported_media_type: { status: 415, title: 'The body must be JSON', when: 'Content-Type is not application/json' },
  bad_request: { status: 400, title: 'The request cannot be read', when: 'the body is not a JSON object in UTF-8, a key is given twice, or a header is malformed (Idempotency-Key)' },
  invalid_request: { status: 422, title: 'The request is not a check', when: 'an unknown kind, a factor missing for the kind or not of it, a wrong type; `errors` lists each field' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used with another request', when: 'the same Idempotency-Key within 24 h with a different body (compared byte for byte)' },
  idempotency_in_progress: { status: 409, title: 'The first request with this Idempotency-Key is still being answered', retryAfter: 1, when: 'a request with the key is still being answered elsewhere' },
  app_suspended: { status: 403, title: 'The app is suspended', when: '`realname apps suspend`' },
  kind_not_permitted: { status: 403, title: 'The app may not run this kind of check', when: 'the kind is not in the app’s --checks' },
  ip_denied: { status: 403, title: 'The client address is not allowed', when: 'the address is outside the app’s allow-list (`apps set APPID --ip`)' },
  rate_limited: { status: 429, title: 'Too many requests', retryAfter: 1, when: 'over the app’s QPS' },
  daily_limited: { status: 429, title: 'The identity was checked as often today as allowed', retryAfter: untilShanghaiMidnight, when: 'over --daily-per-id / --daily-per-name (Retry-After: the next Asia/Shanghai midnight)' },
  quota_exhausted: { status: 402, title: 'The app’s quota is spent', when: 'the quota is 0 (`realname apps set APPID --quota N` sets the remaining balance to N)' },
  source_unavailable: { status: 503, title: 'No source could answer', retryAfter: 5, when: 'every source in the kind’s route failed or timed out; not billed' },
  check_not_found: { status: 404, title: 'No such check', when: 'GET /v1/checks/{id}: no check with this id for this app' },
  batch_not_found: { status: 404, title: 'No such batch', when: '/v1/batches/{id}: no batch with this id for this app (or its 7 days passed)' },
  batch_too_large: { status: 413, title: 'The batch is too large', when: 'an upload over --batch-max-rows rows or --batch-max-bytes bytes (nothing of it is kept)' },
  batches_unavailable: { status: 503, title: 'This store does not run batches', retryAfter: 3600, when: 'the store backend keeps no batches (the memory store)' },
  internal: { status: 503, title: 'Internal error', retryAfter: 1, when: 'an unexpected fault (logged with the check id)' },
} as const satisfies Record<string, ProblemKind>;

export type ProblemName = keyof typeof PROBLEMS;

export const problemType = (name: ProblemName) => `urn:realname:problem:${name}`;

/** Every refusal of the gate has its problem here; some the REST dialect never makes are given the nearest. */
export const REFUSAL_PROBLEMS: Record<Refusal, ProblemName> = {
  body_too_large: 'body_too_large',
  bad_request: 'bad_request',
  appid_missing: 'api_key_invalid',
  signature_missing: 'api_key_missing',
  signature_malformed: 'api_key_malformed',
  app_unknown: 'api_key_invalid',
  secret_unknown: 'api_key_revoked',
  secret_app_mismatch: 'api_key_invalid',
  target_mismatch: 'api_key_invalid',
  bucket_unknown: 'api_key_invalid',
  signature_invalid: 'api_key_invalid',
  signature_expired: 'api_key_invalid',
  timestamp_invalid: 'api_key_invalid',
  timestamp_expired: 'api_key_invalid',
  replayed: 'api_key_invalid',
  action_unknown: 'invalid_request',
  version_unknown: 'invalid_request',
  parameter_missing: 'invalid_request',
  parameter_invalid: 'invalid_request',
  parameter_unknown: 'invalid_request',
  parameter_value_invalid: 'invalid_request',
  encryption_unsupported: 'invalid_request',
  suspended: 'app_suspended',
  not_permitted: 'kind_not_permitted',
  ip_denied: 'ip_denied',
  rate_limited: 'rate_limited',
  daily_limited: 'daily_limited',
  quota_exhausted: 'quota_exhausted',
  internal: 'internal',
};

export function isProblemName(name: string | undefined): name is ProblemName {
  return name !== undefined && Object.hasOwn(PROBLEMS, name);
}

/** A problem's body and headers. */
export function problemAnswer(name: ProblemName, nowMs: number, extra: { detail?: string; checkId?: string; errors?: unknown[] } = {}) {
  const kind: ProblemKind = PROBLEMS[name];
  const headers: Record<string, string> = {};
  if (kind.retryAfter !== undefined) headers['retry-after'] = String(typeof kind.retryAfter === 'function' ? kind.retryAfter(nowMs) : kind.retryAfter);
  if (kind.status === 401) headers['www-authenticate'] = 'Bearer realm="realname"';
  return {
    status: kind.status,
    headers,
    payload: { type: problemType(name), title: kind.title, status: kind.status, ...extra },
  };
}
