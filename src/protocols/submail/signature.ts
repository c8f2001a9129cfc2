import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The SUBMAIL signature: lowercase hex SHA-256 of `key=value` pairs joined by `&`, keys sorted A–Z,
 * over `appkey` (never sent) and the route's signed fields, values URL-encoded. The vendor's demos
 * encode differently, so every way they do is a candidate signing string; a match on any one is valid.
 */

type Pairs = ReadonlyArray<readonly [string, string]>;

const hex = (c: string) => '%' + c.charCodeAt(0).toString(16).toUpperCase();

/** JavaScript's encodeURIComponent: the documented "values URL-encoded", and what signSubmail produces. */
const component = (v: string) => encodeURIComponent(v);
/** PHP urlencode / http_build_query: space as `+`, and !'()*~ escaped too. */
const php = (v: string) => encodeURIComponent(v).replace(/[!'()*~]/g, hex).replace(/%20/g, '+');
/** Java URLEncoder.encode(v, "UTF-8"): space as `+`, `*` kept, !'()~ escaped. */
const java = (v: string) => encodeURIComponent(v).replace(/[!'()~]/g, hex).replace(/%20/g, '+');

function join(pairs: Pairs, encode: (v: string) => string = (v) => v): string {
  return pairs.map(([k, v]) => `${k}=${encode(v)}`).join('&');
}

function sortedPairs(appkey: string, signed: Readonly<Record<string, string>>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [['appkey', appkey], ...Object.entries(signed)];
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Every signing string a client of the vendor may have hashed, without duplicates:
 * each value URL-encoded (JS, PHP); the whole string through encodeURI (the Node demo); only `name`
 * encoded, the rest raw (the Java demo) — and then also the name exactly as it arrived, when it
 * arrived encoded; and no encoding at all (the spec's own example string).
 */
export function signingStrings(appkey: string, signed: Readonly<Record<string, string>>, encodedName?: string): string[] {
  const pairs = sortedPairs(appkey, signed);
  const onlyName = (encode: (v: string) => string) => join(pairs.map(([k, v]) => [k, k === 'name' ? encode(v) : v] as const));
  const builders: Array<() => string> = [
    () => join(pairs, component),
    () => join(pairs, php),
    () => encodeURI(join(pairs)),
    () => onlyName(java),
    () => join(pairs),
  ];
  if (encodedName !== undefined) builders.push(() => onlyName(() => encodedName));
  const strings = new Set<string>();
  for (const build of builders) {
    try {
      strings.add(build());
    } catch {
      // A lone surrogate cannot be URL-encoded: that encoding cannot have produced the signature.
    }
  }
  return [...strings];
}

const SIGNATURE = /^[0-9a-fA-F]{64}$/;

/**
 * True if `signature` is the SHA-256 of any candidate string. Every candidate is compared, in constant
 * time, whatever an earlier one gave: the time taken says nothing about which encoding came close.
 */
export function signatureMatches(signature: string, candidates: readonly string[]): boolean {
  if (!SIGNATURE.test(signature)) return false;
  const given = Buffer.from(signature, 'hex');
  let matched = false;
  for (const candidate of candidates) {
    const digest = createHash('sha256').update(candidate, 'utf8').digest();
    matched = timingSafeEqual(digest, given) || matched;
  }
  return matched;
}

/** The signature a client computes with each value URL-encoded (for our tests and our own clients). */
export function signSubmail(appkey: string, signed: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(join(sortedPairs(appkey, signed), component), 'utf8').digest('hex');
}
