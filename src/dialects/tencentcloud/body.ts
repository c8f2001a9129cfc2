import { parseJsonObject, type JsonObjectParse } from '../shared/json-object.ts';

/**
 * What the dialect's content-type parsers hand the route: the raw bytes (the signature covers them,
 * so JSON is never re-serialised to verify) and, for a JSON content type, the parsed object. Parsing
 * never throws: a broken body is answered in its place in the order (InvalidParameter), after the signature.
 */
export interface Tc3Body {
  raw: Buffer;
  /** Undefined for any other content type. A key given twice is a broken body, never last-wins. */
  json: JsonObjectParse | undefined;
}

export const parseJsonBody = (bytes: Buffer): Tc3Body => ({ raw: bytes, json: parseJsonObject(bytes) });
export const parseOtherBody = (bytes: Buffer): Tc3Body => ({ raw: bytes, json: undefined });
