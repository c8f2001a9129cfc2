import type { DialectChecks, TenantDirectory } from '../../access/index.ts';
import { REFUSED } from '../../access/index.ts';
import { signatureMatches, signingStrings } from '../../protocols/submail/signature.ts';
import type { SubmailRequest } from './request.ts';

/** How far a timestamp may lie from our clock, either side, unless the dialect is told otherwise. */
export const DEFAULT_TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

/**
 * The dialect's part of the gate: 1213 (the timestamp window) → 1204 (the signature under the app's
 * appkey, in any of the encodings the vendor's demos use), and the signature as a single-use token
 * while its timestamp is inside the window.
 */
export function submailChecks(tenants: Pick<TenantDirectory, 'appkey'>, windowMs: number): DialectChecks<SubmailRequest> {
  return {
    signature(request, app, _secret, nowMs) {
      if (Math.abs(nowMs - request.timestampMs) > windowMs) return REFUSED.timestamp_expired;
      const candidates = signingStrings(tenants.appkey(app), request.signed, request.encodedName);
      return signatureMatches(request.signature, candidates) ? undefined : REFUSED.signature_invalid;
    },
    // Remembered until the timestamp leaves the window (plus a second for rounding): after that the
    // signature is refused as expired anyway. The token is the digest: it reveals nothing without the appkey.
    singleUse(request, nowMs) {
      return { token: request.signature.toLowerCase(), ttlMs: request.timestampMs + windowMs + 1000 - nowMs };
    },
  };
}
