import type { DialectChecks, Refused } from '../../access/index.ts';
import { REFUSED } from '../../access/index.ts';
import { verifySignature, type ParsedSignature } from '../../protocols/tencent-image/signature.ts';
import type { CheckRequest } from './body.ts';
import type { SignatureMemo, Verified } from './signature-memo.ts';

/** `t` may run this far ahead of our clock; an `e=0` signature is good this far either side of `t`. */
export const CLOCK_SKEW_S = 5 * 60;
/** `e` may lie at most this far after `t`. */
export const MAX_LIFETIME_S = 90 * 24 * 60 * 60;

/** What the dialect keeps of one request for the gate to judge it. */
export interface Evidence {
  header: string | string[] | undefined;
  signature: ParsedSignature;
  request: CheckRequest;
  /** The memo's entry for this header, when it verified before. */
  known: Verified | undefined;
}

/** Impossible times are a malformed signature (5), judged before any tenant is looked up. */
export function impossibleTimes(signature: ParsedSignature, nowMs: number): Refused | undefined {
  const now = Math.floor(nowMs / 1000);
  const { issuedAt, expiry } = signature.fields;
  if (issuedAt > now + CLOCK_SKEW_S) return REFUSED.timestamp_invalid;
  if (expiry !== 0 && expiry - issuedAt > MAX_LIFETIME_S) return REFUSED.timestamp_invalid;
  return undefined;
}

/**
 * The dialect's part of the gate: the signature half of its order once the app and secret are known —
 * 6 (target) → 16 (bucket) → 14 (HMAC) → 9 (expiry) — and the single-use token of an `e=0` signature.
 */
export function imageChecks(memo: SignatureMemo): DialectChecks<Evidence> {
  return {
    signature({ header, signature, request, known }, app, secret, nowMs) {
      const { fields } = signature;
      if (fields.appid !== request.appid) return REFUSED.target_mismatch;
      if (fields.bucket !== undefined && request.bucket !== undefined && fields.bucket !== request.bucket) return REFUSED.target_mismatch;
      const bucket = fields.bucket ?? request.bucket ?? app.bucket;
      if (!app.buckets.includes(bucket)) return REFUSED.bucket_unknown;
      const secretKey = secret!.secretKey;
      if (known?.secretKey !== secretKey) {
        if (!verifySignature(signature, secretKey)) return REFUSED.signature_invalid;
        memo.remember(header, signature, secretKey);
      }
      const now = Math.floor(nowMs / 1000);
      if (fields.expiry === 0 ? Math.abs(now - fields.issuedAt) > CLOCK_SKEW_S : fields.expiry < now) return REFUSED.signature_expired;
      return undefined;
    },
    /**
     * A single-use signature is remembered until it could no longer be accepted (t + 5 min, plus a second
     * for rounding) — so a `t` signed ahead of our clock cannot be replayed after a shorter memory lapses.
     * The token is the HMAC itself: unique per Original, it reveals nothing without the key.
     */
    singleUse({ signature }, nowMs) {
      if (signature.fields.expiry !== 0) return undefined;
      return { token: signature.digest.toString('hex'), ttlMs: (signature.fields.issuedAt + CLOCK_SKEW_S + 1) * 1000 - nowMs };
    },
  };
}
