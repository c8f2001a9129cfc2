/**
 * The Authorization header of a TC3 request:
 *   TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<64 hex>
 * Read strictly: one algorithm, each of the three parts exactly once, nothing else. The failure is a
 * closed reason, never the header's text (it may be anything a client put there).
 */
import { ALGORITHM, TERMINATOR } from './tc3.ts';

export interface Tc3Authorization {
  secretId: string;
  /** YYYY-MM-DD, as the client wrote it in the scope (checked against X-TC-Timestamp by the verifier). */
  date: string;
  /** The scope's service: `faceid` for faceid.tencentcloudapi.com, `127` for an endpoint 127.0.0.1:PORT. */
  service: string;
  /** Lower-case header names, in the client's order. */
  signedHeaders: string[];
  /** 64 lower-case hex digits. */
  signature: string;
}

export type AuthorizationFailure = 'missing' | 'malformed';
export type AuthorizationParse = { ok: true; authorization: Tc3Authorization } | { ok: false; reason: AuthorizationFailure };

/** More would be no request a client sends; bounds the verifier's work per request. */
export const MAX_SIGNED_HEADERS = 32;

const SECRET_ID = /^[\x21-\x7e]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The first label of whatever host the client was given — `localhost:8080` yields `localhost:8080`. */
const SERVICE = /^[\x21-\x7e]+$/;
/** An HTTP token (RFC 9110), lower case. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

const malformed: AuthorizationParse = { ok: false, reason: 'malformed' };

export function parseAuthorization(header: string | readonly string[] | undefined): AuthorizationParse {
  if (header === undefined) return { ok: false, reason: 'missing' };
  if (typeof header !== 'string') return malformed;
  const value = header.trim();
  if (value === '') return { ok: false, reason: 'missing' };
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space) !== ALGORITHM) return malformed;

  const parts = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) return malformed;
    const key = p.slice(0, eq);
    if ((key !== 'Credential' && key !== 'SignedHeaders' && key !== 'Signature') || parts.has(key)) return malformed;
    parts.set(key, p.slice(eq + 1));
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) return malformed;

  const scope = credential.split('/');
  if (scope.length !== 4) return malformed;
  const [secretId, date, service, terminator] = scope as [string, string, string, string];
  if (!SECRET_ID.test(secretId) || !DATE.test(date) || !SERVICE.test(service) || terminator !== TERMINATOR) return malformed;

  const names = signedHeaders.split(';');
  if (names.length > MAX_SIGNED_HEADERS || !names.every((n) => HEADER_NAME.test(n)) || new Set(names).size !== names.length) return malformed;
  if (!SIGNATURE.test(signature)) return malformed;
  return { ok: true, authorization: { secretId, date, service, signedHeaders: names, signature } };
}
