import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The Tencent image-service signature: Authorization = Base64(HMAC-SHA1(SecretKey, Original) ‖ Original),
 * Original = `a=<appid>&b=<bucket>&k=<SecretId>&e=<expiry>&t=<now>&r=<rand>&u=0&f=` (fields in any order,
 * `b` optional). The plaintext travels inside the header, so parsing needs no key; verifying does.
 */

const DIGEST_BYTES = 20;

export interface SignatureFields {
  /** `a`: the appid the signature is for. */
  appid: string;
  /** `b`: the bucket, when signed (the official Node SDK omits it). */
  bucket?: string;
  /** `k`: the SecretId whose key signed it. */
  secretId: string;
  /** `e`: expiry, seconds since the epoch; 0 = single use. */
  expiry: number;
  /** `t`: signing time, seconds since the epoch. */
  issuedAt: number;
  /** `r`: the client's random number, opaque to us. */
  rand?: string;
}

export interface ParsedSignature {
  fields: SignatureFields;
  /** The HMAC as sent. */
  digest: Buffer;
  /** Original exactly as sent: the HMAC is verified over these bytes, never a re-serialisation. */
  original: Buffer;
}

export type ParseFailure = 'signature_missing' | 'signature_malformed';
export type ParseResult = { ok: true; signature: ParsedSignature } | { ok: false; refusal: ParseFailure };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Seconds since the epoch: digits only, short enough to stay a safe integer. */
const SECONDS = /^\d{1,12}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseAuthorization(header: string | string[] | undefined): ParseResult {
  const text = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (text === '') return { ok: false, refusal: 'signature_missing' };
  const malformed: ParseResult = { ok: false, refusal: 'signature_malformed' };

  // Buffer.from(…, 'base64') silently skips junk, so the alphabet and padding are checked first.
  if (!BASE64.test(text) || text.length % 4 === 1) return malformed;
  if (text.includes('=') && text.length % 4 !== 0) return malformed;
  const raw = Buffer.from(text, 'base64');
  if (raw.length <= DIGEST_BYTES) return malformed;
  const digest = raw.subarray(0, DIGEST_BYTES);
  const original = raw.subarray(DIGEST_BYTES);

  let plain: string;
  try {
    plain = utf8.decode(original);
  } catch {
    return malformed;
  }
  const pairs = new Map<string, string>();
  for (const part of plain.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return malformed;
    const key = part.slice(0, eq);
    // Unknown keys are tolerated (other image services sign more); a repeated key is ambiguous.
    if (pairs.has(key)) return malformed;
    pairs.set(key, part.slice(eq + 1));
  }

  const appid = pairs.get('a');
  const secretId = pairs.get('k');
  const e = pairs.get('e');
  const t = pairs.get('t');
  if (!appid || !secretId || e === undefined || t === undefined) return malformed;
  if (!SECONDS.test(e) || !SECONDS.test(t)) return malformed;
  const bucket = pairs.get('b');

  const fields: SignatureFields = { appid, secretId, expiry: Number(e), issuedAt: Number(t) };
  // An empty `b=` means "no bucket signed", as when it is absent.
  if (bucket) fields.bucket = bucket;
  const rand = pairs.get('r');
  if (rand !== undefined) fields.rand = rand;
  return { ok: true, signature: { fields, digest: Buffer.from(digest), original: Buffer.from(original) } };
}

/** HMAC-SHA1 over the exact Original bytes, compared in constant time. */
export function verifySignature(signature: ParsedSignature, secretKey: string): boolean {
  const expected = createHmac('sha1', secretKey).update(signature.original).digest();
  return expected.length === signature.digest.length && timingSafeEqual(expected, signature.digest);
}

export interface SignOptions {
  appid: string;
  bucket?: string;
  secretId: string;
  secretKey: string;
  /** Seconds since the epoch; 0 = single use. */
  expiry: number;
  /** Seconds since the epoch. */
  now: number;
  rand: number | string;
}

/** Builds an Authorization value the way the vendor's documentation does (used by tests, the demo and the bench). */
export function signAuthorization(o: SignOptions): string {
  const bucket = o.bucket === undefined ? '' : `&b=${o.bucket}`;
  const original = `a=${o.appid}${bucket}&k=${o.secretId}&e=${o.expiry}&t=${o.now}&r=${o.rand}&u=0&f=`;
  return signOriginal(original, o.secretKey);
}

/** Signs an arbitrary Original verbatim (tests use it to send field orders and shapes of their choosing). */
export function signOriginal(original: string, secretKey: string): string {
  const bytes = Buffer.from(original, 'utf8');
  const digest = createHmac('sha1', secretKey).update(bytes).digest();
  return Buffer.concat([digest, bytes]).toString('base64');
}
