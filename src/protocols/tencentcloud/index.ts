/**
 * Tencent Cloud API 3.0 FaceID (`faceid`, 2018-03-01), the wire facts only: the TC3-HMAC-SHA256
 * signer and verifier, the Authorization parser, the five actions' fields and types, their Result
 * tables and the error codes — shared by the FaceID dialect (we answer like the vendor) and an
 * upstream source (we call the vendor). Pure: no I/O; imports only src/core.
 */
export { ALGORITHM, REQUIRED_SIGNED_HEADERS, hostWithoutPort, scopeDate, signTc3, tc3Signer, type SignedRequest, type SignInput } from './tc3.ts';
export { MAX_SIGNED_HEADERS, parseAuthorization, type AuthorizationFailure, type AuthorizationParse, type Tc3Authorization } from './authorization.ts';
export {
  TIMESTAMP_HEADER,
  TIMESTAMP_WINDOW_SECONDS,
  checkTimestamp,
  verifyTc3,
  type IncomingTc3Request,
  type Tc3Failure,
  type Tc3Verification,
  type VerifyInput,
} from './verify.ts';
export {
  ACTIONS,
  ACTION_NAMES,
  CERT_TYPE_ID_CARD,
  ENCRYPTION_FIELDS,
  ENDPOINT,
  SERVICE,
  VERSION,
  checkParameters,
  encryptionParameter,
  factorsOf,
  isActionName,
  type ActionName,
  type ActionSpec,
  type Encryption,
  type Envelope,
  type ErrorResponse,
  type Isp,
  type ParamSpec,
  type ParamType,
  type ParameterCheck,
  type ParameterError,
  type PhoneVerificationResponse,
  type RequestOf,
  type ResponseOf,
  type VerdictResponse,
} from './actions.ts';
export {
  ANSWERS,
  CARD_STATES,
  RESULTS,
  RESULT_DETAILS,
  ispOf,
  meaningOf,
  mismatchedOfDetail,
  resultDetailFor,
  resultRow,
  type Answers,
  type CardState,
  type ResultDetail,
  type ResultMeaning,
  type ResultRow,
} from './results.ts';
export { ERRORS, errorFor, errorMeaningOf, type ReceivedErrorMeaning, type SentErrorMeaning } from './errors.ts';
