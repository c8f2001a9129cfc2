/**
 * Request bodies as JSON objects, strictly: bytes must be UTF-8, the value an object, and no top-level
 * key may appear twice (JSON.parse alone keeps the last, so two clients could read one body differently).
 */
export type JsonObjectParse =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: 'broken' | 'not_object' | 'duplicate' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not UTF-8. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function parseJsonObject(bytes: Buffer): JsonObjectParse {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, reason: 'broken' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'broken' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not_object' };
  // JSON.parse keeps one property per distinct key, so a repeat shows as fewer properties than keys.
  if (topLevelKeyCount(text) !== Object.keys(value).length) return { ok: false, reason: 'duplicate' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * How many keys a JSON object's top level has, repeats included, read from text already known to be
 * a valid JSON object (JSON.parse accepted it): only strings and nesting need tracking. It runs on
 * every request, so it jumps from quote to quote instead of visiting each character of a string.
 */
export function topLevelKeyCount(json: string): number {
  let count = 0;
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      let end = json.indexOf('"', i + 1);
      while (escaped(json, end)) end = json.indexOf('"', end + 1);
      i = end;
      if (depth !== 1) continue;
      let j = end + 1;
      while (isSpace(json.charCodeAt(j))) j++;
      if (json.charCodeAt(j) === COLON) count++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return count;
}

const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A quote is escaped when an odd number of backslashes stands right before it. */
function escaped(json: string, at: number): boolean {
  let n = 0;
  while (json.charCodeAt(at - 1 - n) === BACKSLASH) n++;
  return n % 2 === 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
