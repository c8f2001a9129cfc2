import Busboy from '@fastify/busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeUtf8, parseJsonObject } from '../shared/json-object.ts';

/**
 * What the dialect's content-type parsers hand the route. Parsing never throws: the route answers 1209
 * in its documented place in the order instead of a framework error page.
 * `fields` has no prototype, so a field named `__proto__` or `toString` is just a field.
 */
export type BodyParse = { ok: true; fields: Record<string, unknown> } | { ok: false; reason: 'broken' | 'unsupported' | 'duplicate' };

export const UNSUPPORTED: BodyParse = { ok: false, reason: 'unsupported' };
const BROKEN: BodyParse = { ok: false, reason: 'broken' };
const DUPLICATE: BodyParse = { ok: false, reason: 'duplicate' };

/** Collects name/value pairs; a name seen twice makes the whole body a duplicate (1209), never last-wins. */
function collect(pairs: Iterable<[string, unknown]>): BodyParse {
  const fields = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of pairs) {
    if (Object.hasOwn(fields, name)) return DUPLICATE;
    fields[name] = value;
  }
  return { ok: true, fields };
}

/** A JSON object body. Duplicate top-level keys are refused, which JSON.parse alone would hide. */
export function parseJsonBody(bytes: Buffer): BodyParse {
  const parsed = parseJsonObject(bytes);
  if (parsed.ok) return { ok: true, fields: Object.assign(Object.create(null) as Record<string, unknown>, parsed.value) };
  return parsed.reason === 'duplicate' ? DUPLICATE : BROKEN;
}

/** An application/x-www-form-urlencoded body (`+` is a space, as HTML forms and PHP send it). */
export function parseUrlencodedBody(bytes: Buffer): BodyParse {
  const text = decodeUtf8(bytes);
  if (text === undefined) return BROKEN;
  return collect(new URLSearchParams(text));
}

/** A multipart/form-data body, already read whole (within the body limit). File parts are ignored. */
export function parseMultipartBody(bytes: Buffer, headers: IncomingHttpHeaders): Promise<BodyParse> {
  return new Promise((resolve) => {
    const pairs: Array<[string, unknown]> = [];
    let parser;
    try {
      parser = Busboy({ headers: headers as IncomingHttpHeaders & { 'content-type': string }, limits: { fieldSize: bytes.length + 1 } });
    } catch {
      // No boundary, or a content type busboy does not know.
      resolve(BROKEN);
      return;
    }
    let truncated = false;
    parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (nameTruncated || valueTruncated) truncated = true;
      pairs.push([name, value]);
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', () => resolve(BROKEN));
    parser.on('finish', () => resolve(truncated ? BROKEN : collect(pairs)));
    parser.end(bytes);
  });
}
