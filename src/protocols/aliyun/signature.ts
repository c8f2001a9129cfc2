import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Alibaba Cloud's signature V3, ACS3-HMAC-SHA256 ("V3版本请求体&签名机制"):
 * CanonicalRequest = method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedRequestPayload,
 * StringToSign = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest)), Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign)).
 * CanonicalHeaders are every `x-acs-*`, `host` and `content-type` header, lower-cased, sorted, values trimmed,
 * each `name:value\n`; all of them must be signed. One signer, shared by the upstream source and the
 * loopback vendor the tests run.
 */
export const ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986: A–Z a–z 0–9 - _ . ~ kept, every other byte %XX (upper case), a space %20, `*` %2A. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const sha256Hex = (payload: string | Uint8Array): string => createHash('sha256').update(payload).digest('hex');

/** Parameters sorted by name, each name and value percent-encoded, joined `name=value&…`. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

/** A form body as the vendor's RPC gateway reads it (the same encoding as the query). */
export const formBody = canonicalQuery;

/** Whether a header takes part in the signature. */
export const isSignedHeader = (lowerName: string): boolean =>
  lowerName === 'host' || lowerName === 'content-type' || lowerName.startsWith('x-acs-');

export interface CanonicalInput {
  method: string;
  /** The path, `/` for RPC-style actions. */
  path: string;
  /** Parameters that travel in the query string (decoded). */
  query: Readonly<Record<string, string>>;
  /** Headers by lower-case name; only the signed ones are read. */
  headers: Readonly<Record<string, string>>;
  /** hex SHA-256 of the body bytes (x-acs-content-sha256). */
  hashedPayload: string;
}

/** The signed header names (sorted, `;`-joined) and the canonical request over them. */
export function canonicalRequest(input: CanonicalInput, signedNames?: readonly string[]): { signedHeaders: string; request: string } {
  const names = (signedNames ?? Object.keys(input.headers).filter(isSignedHeader)).map((n) => n.toLowerCase()).sort();
  const headers = names.map((n) => `${n}:${(input.headers[n] ?? '').trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const path = input.path.split('/').map(percentEncode).join('/');
  return { signedHeaders, request: [input.method.toUpperCase(), path, canonicalQuery(input.query), headers, signedHeaders, input.hashedPayload].join('\n') };
}

export function stringToSign(canonical: string): string {
  return `${ALGORITHM}\n${sha256Hex(canonical)}`;
}

export const signatureOf = (secret: string, toSign: string): string => createHmac('sha256', secret).update(toSign, 'utf8').digest('hex');

/** The Authorization header of a request whose signed headers (x-acs-content-sha256 among them) are already set. */
export function authorize(input: CanonicalInput, accessKeyId: string, accessKeySecret: string): string {
  const { signedHeaders, request } = canonicalRequest(input);
  return `${ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signatureOf(accessKeySecret, stringToSign(request))}`;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=a;b,Signature=<64 hex>`, or undefined when it is not that. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const m = /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

/** The vendor's refusal of a signature, in its own codes (HTTP status beside). */
export type SignatureRefusal =
  | 'IncompleteSignature'
  | 'InvalidAccessKeyId.NotFound'
  | 'SignatureDoesNotMatch'
  | 'InvalidTimeStamp.Expired'
  | 'SignatureNonceUsed'
  | 'ContentSHA256NotMatch';

/** How far x-acs-date may lie from the server's clock ("请求发出前15分钟内"). */
export const DATE_WINDOW_MS = 15 * 60 * 1000;

/**
 * Verifies a received request as the vendor documents: every x-acs-*, host and content-type header that is
 * present is signed, the body hashes to x-acs-content-sha256, x-acs-date lies within 15 minutes, and the
 * signature matches (compared in constant time). Nonce reuse is the caller's (it needs memory).
 */
export function verifyRequest(
  input: Omit<CanonicalInput, 'hashedPayload'> & { body: Uint8Array; authorization: string | undefined; nowMs: number },
  secretOf: (accessKeyId: string) => string | undefined,
): { ok: true; accessKeyId: string } | { ok: false; refusal: SignatureRefusal } {
  const parsed = parseAuthorization(input.authorization);
  if (!parsed) return { ok: false, refusal: 'IncompleteSignature' };
  const present = Object.keys(input.headers).filter(isSignedHeader);
  const required = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
  if (!required.every((h) => input.headers[h] !== undefined) || !present.every((h) => parsed.signedHeaders.includes(h))) {
    return { ok: false, refusal: 'IncompleteSignature' };
  }
  const secret = secretOf(parsed.accessKeyId);
  if (secret === undefined) return { ok: false, refusal: 'InvalidAccessKeyId.NotFound' };
  const hashedPayload = sha256Hex(input.body);
  if (input.headers['x-acs-content-sha256'] !== hashedPayload) return { ok: false, refusal: 'ContentSHA256NotMatch' };
  const { request } = canonicalRequest({ ...input, hashedPayload }, parsed.signedHeaders);
  const expected = Buffer.from(signatureOf(secret, stringToSign(request)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(parsed.signature, 'hex'))) return { ok: false, refusal: 'SignatureDoesNotMatch' };
  const at = Date.parse(input.headers['x-acs-date']!);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(input.headers['x-acs-date']!) || !(Math.abs(input.nowMs - at) <= DATE_WINDOW_MS)) {
    return { ok: false, refusal: 'InvalidTimeStamp.Expired' };
  }
  return { ok: true, accessKeyId: parsed.accessKeyId };
}
