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
  'suspended',
  'not_permitted',
  'ip_denied',
  'rate_limited',
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
