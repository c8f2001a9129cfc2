/**
 * Why a request is refused before (or instead of) a verdict. Each dialect maps these, in one table,
 * to its own codes; the dialect decides the order in which it checks them (its vendor's order).
 */
export const REFUSALS = [
  'body_too_large',
  'bad_request',
  'signature_missing',
  'signature_malformed',
  'app_unknown',
  'secret_unknown',
  'secret_app_mismatch',
  'target_mismatch',
  'bucket_unknown',
  'signature_invalid',
  'signature_expired',
  'timestamp_invalid',
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
