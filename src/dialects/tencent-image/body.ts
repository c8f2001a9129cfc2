import type { CheckKind, Factors } from '../../core/index.ts';
import { FIELDS } from '../../protocols/tencent-image/fields.ts';
import { parseJsonObject } from '../shared/json-object.ts';

/**
 * What the dialect's content-type parsers hand the route: parsing never throws, so the route decides
 * the answer (21) in its documented order instead of a framework error page.
 */
export type BodyParse = { kind: 'json'; value: unknown } | { kind: 'broken' } | { kind: 'unsupported' };

export const UNSUPPORTED: BodyParse = { kind: 'unsupported' };
/** A JSON object body; broken UTF-8 or JSON, another JSON value, or a key given twice is broken (21). */
export function parseJsonBody(bytes: Buffer): BodyParse {
  const parsed = parseJsonObject(bytes);
  return parsed.ok ? { kind: 'json', value: parsed.value } : { kind: 'broken' };
}

export interface CheckRequest {
  /** The body's appid; a JSON number is accepted and read as its decimal digits. */
  appid: string;
  bucket?: string;
  factors: Factors;
}

export type ReadResult = { ok: true; request: CheckRequest } | { ok: false; factors: Factors };

/**
 * Reads a check request out of a parsed body. Any missing or ill-typed field fails the whole request (21);
 * the factors found so far come back anyway so the audit record shows what was sent (masked by the auditor).
 */
export function readCheckRequest(kind: CheckKind | null, body: BodyParse | undefined): ReadResult {
  const factors: Factors = {};
  if (body?.kind !== 'json') return { ok: false, factors };
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, factors };
  const fields = value as Record<string, unknown>;

  let ok = true;
  const fieldsOfKind = kind === null ? undefined : FIELDS[kind];
  if (!fieldsOfKind) return { ok: false, factors };
  for (const [wire, factor] of fieldsOfKind) {
    const field = Object.hasOwn(fields, wire) ? fields[wire] : undefined;
    if (typeof field === 'string') factors[factor] = field;
    else ok = false;
  }
  const appid = readAppid(Object.hasOwn(fields, 'appid') ? fields.appid : undefined);
  const bucket = Object.hasOwn(fields, 'bucket') ? fields.bucket : undefined;
  if (!ok || appid === undefined || (bucket !== undefined && typeof bucket !== 'string')) return { ok: false, factors };

  const request: CheckRequest = { appid, factors };
  if (bucket) request.bucket = bucket;
  return { ok: true, request };
}

function readAppid(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
