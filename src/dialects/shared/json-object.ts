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
  const keys = topLevelKeys(text);
  if (new Set(keys).size !== keys.length) return { ok: false, reason: 'duplicate' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * The keys of a JSON object's top level, in order and with repeats, read from text already known to
 * be a valid JSON object (JSON.parse accepted it): only strings and nesting need tracking.
 */
export function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const start = i;
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      if (depth !== 1) continue;
      let j = i + 1;
      while (j < json.length && ' \t\n\r'.includes(json[j] as string)) j++;
      if (json[j] === ':') keys.push(JSON.parse(json.slice(start, i + 1)) as string);
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return keys;
}
