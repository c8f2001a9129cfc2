import { parseJsonObject, type JsonObjectParse } from '../shared/json-object.ts';

/**
 * What the dialect's parsers hand the route: the raw bytes (the idempotency key is bound to them) and
 * the JSON, or that the content type was not JSON. Parsing never throws: a broken body is answered by
 * the request step, after authentication.
 */
export interface RestBody {
  raw: Buffer;
  /** Undefined when the content type is not JSON. */
  json: JsonObjectParse | undefined;
}

export const parseJsonBody = (bytes: Buffer): RestBody => ({ raw: bytes, json: parseJsonObject(bytes) });
export const parseOtherBody = (bytes: Buffer): RestBody => ({ raw: bytes, json: undefined });
