/**
 * Verifies a TC3-HMAC-SHA256 request the way the vendor does, against a secret the caller looked up by
 * the Authorization's SecretId. The checks, in order (the first that fails answers):
 *   X-TC-Timestamp present, then a whole number of seconds, then within 5 minutes of `nowMs` either way
 *   → the scope's date is the timestamp's UTC date
 *   → content-type and host are signed, and every signed header was sent (once)
 *   → the signature, compared in constant time.
 * The canonical request is built over the raw body, the SignedHeaders the client names (in its order),
 * the host without its port, and the service from the credential scope. TC3 has no nonce: a request
 * may be sent again inside its window, as at the vendor.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Tc3Authorization } from './authorization.ts';
import {
  canonicalHeaderValue,
  credentialScope,
  REQUIRED_SIGNED_HEADERS,
  scopeDate,
  signatureOf,
  signingKey,
  type SignedRequest,
} from './tc3.ts';

/** 签名过期: "Timestamp 和服务器时间相差不得超过五分钟". */
export const TIMESTAMP_WINDOW_SECONDS = 300;
export const TIMESTAMP_HEADER = 'x-tc-timestamp';

export type Tc3Failure =
  /** No X-TC-Timestamp header. */
  | 'timestamp_missing'
  /** X-TC-Timestamp is not a whole number of seconds. */
  | 'timestamp_invalid'
  /** More than 5 minutes from the server's clock, either way. */
  | 'expired'
  /** The credential scope's date is not the UTC date of X-TC-Timestamp. */
  | 'date'
  /** content-type or host not signed, or a signed header not sent (or sent twice). */
  | 'headers'
  /** The HMAC does not match: another key, another body, other header values. */
  | 'signature';

export type Tc3Verification = { ok: true; timestamp: number } | { ok: false; reason: Tc3Failure };

/** An incoming request as Node gives it: lower-case header names, repeated headers as arrays. */
export interface IncomingTc3Request {
  method: string;
  /** Without the query. */
  path: string;
  /** Raw, without `?`. */
  query: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Uint8Array;
}

export interface VerifyInput {
  request: IncomingTc3Request;
  authorization: Tc3Authorization;
  secretKey: string;
  /** The server's clock, injected. */
  nowMs: number;
}

const TIMESTAMP = /^\d{1,12}$/;

/** The timestamp check alone, for a caller that orders it before looking anything up. */
export function checkTimestamp(header: string | readonly string[] | undefined, nowMs: number): Tc3Verification {
  if (header === undefined) return { ok: false, reason: 'timestamp_missing' };
  if (typeof header !== 'string' || !TIMESTAMP.test(header.trim())) return { ok: false, reason: 'timestamp_invalid' };
  const timestamp = Number(header.trim());
  if (Math.abs(nowMs / 1000 - timestamp) > TIMESTAMP_WINDOW_SECONDS) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp };
}

export function verifyTc3({ request, authorization, secretKey, nowMs }: VerifyInput): Tc3Verification {
  const time = checkTimestamp(request.headers[TIMESTAMP_HEADER], nowMs);
  if (!time.ok) return time;
  const { timestamp } = time;
  if (authorization.date !== scopeDate(timestamp)) return { ok: false, reason: 'date' };

  const signed = authorization.signedHeaders;
  if (!REQUIRED_SIGNED_HEADERS.every((name) => signed.includes(name))) return { ok: false, reason: 'headers' };
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (typeof value !== 'string') return { ok: false, reason: 'headers' };
    headers[name] = value;
  }

  const given = Buffer.from(authorization.signature, 'hex');
  const signedRequest: SignedRequest = { method: request.method.toUpperCase(), path: request.path, query: request.query, headers, body: request.body };
  const key = signingKey(secretKey, authorization.date, authorization.service);
  const scope = credentialScope(authorization.date, authorization.service);
  if (timingSafeEqual(signatureOf(key, signedRequest, signed, timestamp, scope, 'lowercase'), given)) return { ok: true, timestamp };
  // The official SDKs sign the content type as sent (the document says lower-cased): where the two
  // forms differ, the other one is tried too. Both are HMACs under the same key over the same request.
  const differs = signed.some((name) => canonicalHeaderValue(name, headers[name]!, 'lowercase') !== canonicalHeaderValue(name, headers[name]!, 'as-sent'));
  if (differs && timingSafeEqual(signatureOf(key, signedRequest, signed, timestamp, scope, 'as-sent'), given)) return { ok: true, timestamp };
  return { ok: false, reason: 'signature' };
}
