/**
 * TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 (签名方法 v3):
 *
 *   CanonicalRequest = Method \n Path \n Query \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
 *   StringToSign     = TC3-HMAC-SHA256 \n Timestamp \n <date>/<service>/tc3_request \n hex(SHA256(CanonicalRequest))
 *   kSigning         = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")
 *   Signature        = hex(HMAC(kSigning, StringToSign))
 *
 * CanonicalHeaders holds one `name:value\n` line per signed header, in the SignedHeaders order. The
 * host is the host name without its port (what the official SDKs sign while sending `Host: host:port`).
 * Values are trimmed and lower-cased, as the vendor's document says — the official SDKs sign the
 * content type as sent instead, so a verifier also tries that form (see verify.ts).
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'TC3-HMAC-SHA256';
export const TERMINATOR = 'tc3_request';
/** Every request signs at least these (the vendor's document: content-type 和 host 为必选头部). */
export const REQUIRED_SIGNED_HEADERS: readonly string[] = ['content-type', 'host'];

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  /** Upper case, e.g. POST. */
  method: string;
  /** The path without the query: `/` for every API 3.0 action. */
  path: string;
  /** The raw query string without `?`: empty for POST. */
  query: string;
  /** Header name (lower case) → value as sent; `host` may carry a port. */
  headers: Readonly<Record<string, string>>;
  /** The exact bytes of the body (its SHA-256 is signed, so re-serialising JSON would break it). */
  body: Uint8Array | string;
}

/** How header values enter CanonicalHeaders: the document's rule, or as the official SDKs send them. */
export type HeaderValueForm = 'lowercase' | 'as-sent';

/** `host:port` → `host`, `[::1]:8080` → `[::1]`, lower case (the URL's hostname). */
export function hostWithoutPort(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** The CanonicalHeaders value of one header. */
export function canonicalHeaderValue(name: string, value: string, form: HeaderValueForm): string {
  if (name === 'host') return hostWithoutPort(value);
  const trimmed = value.trim();
  return form === 'lowercase' ? trimmed.toLowerCase() : trimmed;
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** CanonicalRequest. Every name in `signedHeaders` must be in `request.headers` (the caller checks). */
export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[], form: HeaderValueForm): string {
  let headers = '';
  for (const name of signedHeaders) headers += `${name}:${canonicalHeaderValue(name, request.headers[name] ?? '', form)}\n`;
  return `${request.method}\n${request.path}\n${request.query}\n${headers}\n${signedHeaders.join(';')}\n${sha256Hex(request.body)}`;
}

/** The UTC calendar date (YYYY-MM-DD) of a Unix time in seconds: the credential scope's date. */
export function scopeDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function credentialScope(date: string, service: string): string {
  return `${date}/${service}/${TERMINATOR}`;
}

export function stringToSign(timestamp: number, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`;
}

/** kSigning: depends on the secret, the date and the service only (a verifier may keep it for a day). */
export function signingKey(secretKey: string, date: string, service: string): Buffer {
  const kDate = createHmac('sha256', `TC3${secretKey}`).update(date).digest();
  const kService = createHmac('sha256', kDate).update(service).digest();
  return createHmac('sha256', kService).update(TERMINATOR).digest();
}

/** The signature (raw bytes) of a request. */
export function signatureOf(
  key: Buffer,
  request: SignedRequest,
  signedHeaders: readonly string[],
  timestamp: number,
  scope: string,
  form: HeaderValueForm,
): Buffer {
  return createHmac('sha256', key).update(stringToSign(timestamp, scope, canonicalRequest(request, signedHeaders, form))).digest();
}

export interface SignInput {
  request: SignedRequest;
  secretId: string;
  secretKey: string;
  /** The credential scope's service: the first label of the host name the client was pointed at. */
  service: string;
  /** Unix seconds, also sent as X-TC-Timestamp. */
  timestamp: number;
  /** Lower-case names, in the order they are signed; default content-type;host. */
  signedHeaders?: readonly string[];
  /** Default 'lowercase' (the document's rule); 'as-sent' reproduces the official SDKs byte for byte. */
  form?: HeaderValueForm;
}

/** The Authorization header value for a request (an upstream client, and tests acting as one). */
export function signTc3(input: SignInput): string {
  const { request, timestamp, ...credential } = input;
  return tc3Signer(credential)(request, timestamp);
}

/**
 * A client's signer for one credential and service: `sign(request, timestamp)` gives the Authorization
 * header value. kSigning depends only on the secret, the date and the service, so it is made once per
 * UTC date instead of three HMACs a request.
 */
export function tc3Signer(input: Omit<SignInput, 'request' | 'timestamp'>): (request: SignedRequest, timestamp: number) => string {
  const signedHeaders = input.signedHeaders ?? REQUIRED_SIGNED_HEADERS;
  const names = signedHeaders.join(';');
  const form = input.form ?? 'lowercase';
  let date = '';
  let key: Buffer = Buffer.alloc(0);
  return (request, timestamp) => {
    const unsent = signedHeaders.find((name) => request.headers[name] === undefined);
    if (unsent !== undefined) throw new Error(`signTc3: the signed header ${unsent} is not among the request's headers`);
    const today = scopeDate(timestamp);
    if (today !== date) {
      key = signingKey(input.secretKey, today, input.service);
      date = today;
    }
    const scope = credentialScope(date, input.service);
    const signature = signatureOf(key, request, signedHeaders, timestamp, scope, form).toString('hex');
    return `${ALGORITHM} Credential=${input.secretId}/${scope}, SignedHeaders=${names}, Signature=${signature}`;
  };
}
