/**
 * Why a request is refused before (or instead of) a verdict: a closed set, recorded in the audit beside
 * the dialect's wire code, so "how many requests were refused for a bad signature today" is a query.
 * Each dialect maps these, in one table, to its own codes; it gives the order in which the gate checks
 * them (its vendor's order) as data.
 */
export const REFUSALS = [
  /** The body is over the limit. */
  'body_too_large',
  /** The request is not one the dialect can read: broken body, a field missing, empty, ill-typed or sent twice. */
  'bad_request',
  /** No app id where the protocol carries it in the body (SUBMAIL's 1210). */
  'appid_missing',
  'signature_missing',
  'signature_malformed',
  'app_unknown',
  'secret_unknown',
  'secret_app_mismatch',
  /** The signature names another app or bucket than the request does. */
  'target_mismatch',
  'bucket_unknown',
  'signature_invalid',
  'signature_expired',
  /** A signing time that cannot be (too far ahead, or an impossible lifetime). */
  'timestamp_invalid',
  /** A signed timestamp outside the accepted window. */
  'timestamp_expired',
  'replayed',
  /** The request names an operation the dialect does not have (TC3's X-TC-Action). */
  'action_unknown',
  /** The request names a version of the API the dialect does not speak (TC3's X-TC-Version). */
  'version_unknown',
  /** A required field is missing; `detail` names it. */
  'parameter_missing',
  /** A field has the wrong type; `detail` names it. */
  'parameter_invalid',
  /** A field the operation does not define; `detail` names it. */
  'parameter_unknown',
  /** A field's value is outside the values it may take; `detail` names it. */
  'parameter_value_invalid',
  /** The client encrypted fields, which Realname does not decrypt; `detail` names the field saying so. */
  'encryption_unsupported',
  'suspended',
  'not_permitted',
  'ip_denied',
  'rate_limited',
  /** The identity (ID number or name) was checked as often today as the app allows. */
  'daily_limited',
  'quota_exhausted',
  'internal',
] as const;
export type Refusal = (typeof REFUSALS)[number];

/** A refusal with what a client needs to mend its request (a field name, never a factor's value). */
export interface Refused {
  refusal: Refusal;
  detail?: string;
}

/** One shared, frozen object per refusal: the gate answers most refusals without allocating. */
export const REFUSED: Readonly<Record<Refusal, Refused>> = Object.freeze(
  Object.fromEntries(REFUSALS.map((refusal) => [refusal, Object.freeze({ refusal })])) as Record<Refusal, Refused>,
);
