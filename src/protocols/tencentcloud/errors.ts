/**
 * Error codes of the API 3.0 envelope {"Response":{"Error":{"Code","Message"},"RequestId"}}, each
 * with the meaning it has both ways: what a server means by sending it (ERRORS, keyed by meaning:
 * the Code and the Message sent) and what a client makes of one it receives (errorMeaningOf). The
 * codes are the vendor's; the messages are ours, except SignatureFailure's (the vendor's documented
 * one) and LimitExceeded's (pinned by the issue). A message names a field or a cause, never a value
 * a client sent: `{parameter}` is filled with a field name of the action's spec.
 */

interface ErrorRow {
  code: string;
  message: string;
  /** An English gloss (the README's "when"). */
  when: string;
}

/** Every error a server speaking FaceID sends, in the order a request is checked. */
export const ERRORS = {
  body_too_large: { code: 'RequestSizeLimitExceeded', message: 'The request body is larger than this server accepts.', when: 'body over the limit' },
  authorization_missing: {
    code: 'AuthFailure.InvalidAuthorization',
    message: 'The request has no Authorization header.',
    when: 'no Authorization header',
  },
  authorization_malformed: {
    code: 'AuthFailure.InvalidAuthorization',
    message: 'The Authorization header is not of the form "TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".',
    when: 'Authorization unparsable',
  },
  secret_unknown: { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is unknown or has been revoked.', when: 'unknown or revoked SecretId' },
  timestamp_missing: { code: 'MissingParameter', message: 'The request is missing the header X-TC-Timestamp.', when: 'no X-TC-Timestamp' },
  timestamp_invalid: { code: 'InvalidParameter', message: 'X-TC-Timestamp is not a Unix time in seconds.', when: 'X-TC-Timestamp not a number of seconds' },
  signature_expired: {
    code: 'AuthFailure.SignatureExpire',
    message: 'The signature has expired: X-TC-Timestamp and the server time differ by more than 5 minutes.',
    when: 'X-TC-Timestamp more than 5 minutes from the server clock, either way',
  },
  signature_invalid: {
    code: 'AuthFailure.SignatureFailure',
    message: 'The provided credentials could not be validated. Please check your signature is correct.',
    when: 'signature does not match (key, body, signed headers, scope date)',
  },
  action_missing: { code: 'MissingParameter', message: 'The request is missing the header X-TC-Action.', when: 'no X-TC-Action' },
  action_unknown: { code: 'InvalidAction', message: 'X-TC-Action names no action of this service.', when: 'unknown X-TC-Action' },
  version_missing: { code: 'MissingParameter', message: 'The request is missing the header X-TC-Version.', when: 'no X-TC-Version' },
  version_unknown: { code: 'NoSuchVersion', message: 'X-TC-Version is not a version of this service (2018-03-01).', when: 'X-TC-Version not 2018-03-01' },
  body_invalid: { code: 'InvalidParameter', message: 'The request body is not a JSON object in UTF-8 naming each key once.', when: 'broken JSON or UTF-8, a key named twice, or not an object' },
  parameter_missing: { code: 'MissingParameter', message: 'The request is missing the required parameter {parameter}.', when: 'a required field missing' },
  parameter_invalid: { code: 'InvalidParameter', message: 'The parameter {parameter} has the wrong type.', when: 'a field of the wrong type' },
  parameter_unknown: { code: 'UnknownParameter', message: 'The parameter {parameter} is not defined by this action.', when: 'a field the action does not define' },
  parameter_value_invalid: {
    code: 'InvalidParameterValue',
    message: 'The parameter {parameter} has a value it may not take.',
    when: 'a value outside the field’s enumeration (VerifyMode, Encryption.Algorithm)',
  },
  encryption_unsupported: {
    code: 'UnsupportedOperation',
    message: 'The parameter {parameter} asks for encrypted fields, which this server does not decrypt: send them unencrypted, over HTTPS.',
    when: 'Encryption (or PhoneVerification’s CiphertextBlob/EncryptList/Iv) sent',
  },
  suspended: { code: 'UnauthorizedOperation.Arrears', message: 'The account is in arrears: the app is suspended.', when: 'the app is suspended' },
  not_permitted: { code: 'UnauthorizedOperation.Nonactivated', message: 'This check is not activated for the app.', when: 'check kind not permitted for the app' },
  ip_denied: { code: 'IpNotInWhitelist', message: "The client address is not in the app's IP allow-list.", when: 'client IP outside the allow-list' },
  rate_limited: { code: 'RequestLimitExceeded', message: "Requests exceed the app's limit per second.", when: "over the app's QPS" },
  quota_exhausted: { code: 'LimitExceeded', message: '您购买的资源已用完', when: 'quota used up' },
  internal: { code: 'InternalError', message: 'An internal error occurred; quote the RequestId.', when: 'unexpected fault (logged with the RequestId)' },
} as const satisfies Record<string, ErrorRow>;

export type SentErrorMeaning = keyof typeof ERRORS;

/**
 * What a client makes of codes the vendor sends with a meaning not among ours — codes we never send,
 * and UnsupportedOperation, which the vendor uses for any 操作不支持 (we only for encryption). Any
 * other code we send means, when received, what we mean by it.
 */
const RECEIVED = {
  UnsupportedOperation: 'unsupported',
  'AuthFailure.InvalidSecretId': 'credentials_rejected',
  'AuthFailure.MFAFailure': 'credentials_rejected',
  'AuthFailure.TokenFailure': 'credentials_rejected',
  'AuthFailure.UnauthorizedOperation': 'unauthorized',
  UnauthorizedOperation: 'unauthorized',
  'UnauthorizedOperation.NonAuthorize': 'unauthorized',
  'UnauthorizedOperation.ChargeStatusException': 'unauthorized',
  FailedOperation: 'failed',
  'FailedOperation.UnKnown': 'failed',
  'FailedOperation.StsUnAuthErrError': 'unauthorized',
  'FailedOperation.DecryptSystemError': 'decrypt_failed',
  'InvalidParameter.UnsupportEncryptField': 'decrypt_failed',
  'FailedOperation.RequestLimitExceeded': 'rate_limited',
  ServiceUnavailable: 'unavailable',
  ResourceUnavailable: 'unavailable',
  ActionOffline: 'action_unknown',
  NoSuchProduct: 'action_unknown',
  IpInBlacklist: 'ip_denied',
  RequestSizeLimitExceeded: 'body_too_large',
} as const;

export type ReceivedErrorMeaning = SentErrorMeaning | (typeof RECEIVED)[keyof typeof RECEIVED] | 'unknown';

/** The first meaning sending a code (ERRORS order: the general one before the field-specific ones). */
const MEANING_OF_CODE = new Map<string, ReceivedErrorMeaning>();
for (const [code, meaning] of Object.entries(RECEIVED)) MEANING_OF_CODE.set(code, meaning);
const GENERAL_FIRST: SentErrorMeaning[] = ['parameter_missing', 'parameter_invalid', 'authorization_malformed'];
for (const meaning of [...GENERAL_FIRST, ...(Object.keys(ERRORS) as SentErrorMeaning[])]) {
  const { code } = ERRORS[meaning];
  if (!MEANING_OF_CODE.has(code)) MEANING_OF_CODE.set(code, meaning);
}

/**
 * What a received Error.Code means: the code itself, else its family (the part before the first
 * dot: RequestLimitExceeded.UinLimitExceeded → RequestLimitExceeded, InternalError.UnKnown →
 * InternalError), else 'unknown'.
 */
export function errorMeaningOf(code: string): ReceivedErrorMeaning {
  return MEANING_OF_CODE.get(code) ?? MEANING_OF_CODE.get(code.split('.')[0]!) ?? 'unknown';
}

/**
 * The Error object a server sends for a refusal; `parameter` fills the message's {parameter}. Without
 * one (none, or a key not of a parameter name's shape, which is never quoted: it could be a factor) the
 * message speaks of "a parameter".
 */
export function errorFor(meaning: SentErrorMeaning, parameter?: string): { Code: string; Message: string } {
  const { code, message } = ERRORS[meaning];
  if (parameter) return { Code: code, Message: message.replace('{parameter}', parameter) };
  return { Code: code, Message: message.replace('The parameter {parameter}', 'A parameter').replace(' {parameter}', '') };
}
