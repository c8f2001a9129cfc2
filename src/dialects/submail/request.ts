import type { Refusal } from '../../access/index.ts';
import type { CheckKind, Factors } from '../../core/index.ts';
import { parseTimestamp } from '../../protocols/submail/codes.ts';
import { FIELDS } from '../../protocols/submail/fields.ts';
import type { BodyParse } from './body.ts';

export interface SubmailRequest {
  appid: string;
  /** As sent; judged at its place in the order (1204). */
  signature: string;
  timestampMs: number;
  /** The signed fields (timestamp and the route's factor fields) as the client sent them. */
  signed: Record<string, string>;
  /** The name exactly as it arrived, when it arrived percent-encoded (the Java demo signs it so). */
  encodedName?: string;
  /** Factors in the domain's names; the name decoded. */
  factors: Factors;
}

export type ReadFailure = Extract<Refusal, 'bad_request' | 'appid_missing' | 'signature_missing' | 'timestamp_invalid'>;
export type ReadResult = { ok: true; request: SubmailRequest } | { ok: false; refusal: ReadFailure; factors: Factors; appid?: string };

/**
 * Reads a check request out of a parsed body, in the vendor's order: broken body (1209) → empty appid
 * (1210) → empty signature (1212) → missing or ill-typed fields (1209) → timestamp format (1208).
 * The factors found so far come back with a failure so the audit record shows what was sent (masked).
 */
export function readCheckRequest(kind: CheckKind | null, body: BodyParse | undefined): ReadResult {
  const factors: Factors = {};
  if (!body?.ok) return { ok: false, refusal: 'bad_request', factors };
  const fields = body.fields;

  const appidValue = fields.appid;
  if (isEmpty(appidValue)) return { ok: false, refusal: 'appid_missing', factors };
  const appid = scalar(appidValue);
  if (isEmpty(fields.signature)) return { ok: false, refusal: 'signature_missing', factors, ...(appid ? { appid } : {}) };
  const fail = (refusal: ReadFailure): ReadResult => ({ ok: false, refusal, factors, ...(appid ? { appid } : {}) });

  const signed: Record<string, string> = Object.create(null) as Record<string, string>;
  let complete = true;
  let encodedName: string | undefined;
  const fieldsOfKind = kind === null ? undefined : FIELDS[kind];
  if (!fieldsOfKind) return fail('bad_request');
  for (const [wire, factor] of fieldsOfKind) {
    const value = fields[wire];
    if (typeof value !== 'string' || value.trim() === '') {
      complete = false;
      continue;
    }
    signed[wire] = value;
    factors[factor] = value;
    if (factor === 'name') {
      const decoded = decodePercentEncoded(value);
      if (decoded !== undefined) {
        encodedName = value;
        factors.name = decoded;
      }
    }
  }
  const timestamp = isEmpty(fields.timestamp) ? undefined : scalar(fields.timestamp);
  if (!complete || appid === undefined || typeof fields.signature !== 'string' || timestamp === undefined) return fail('bad_request');

  const timestampMs = parseTimestamp(timestamp);
  if (timestampMs === undefined) return fail('timestamp_invalid');
  signed.timestamp = timestamp;
  const request: SubmailRequest = { appid, signature: fields.signature, timestampMs, signed, factors };
  if (encodedName !== undefined) request.encodedName = encodedName;
  return { ok: true, request };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A string, or a JSON number read as its decimal digits (appids and timestamps are numbers to some clients). */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

const FORM_ESCAPE = /%[0-9A-Fa-f]{2}|\+/;

/**
 * A value that arrived form-encoded (the vendor's Java demo sends the name as URLEncoder made it:
 * `%XX` escapes, `+` for a space), decoded; undefined when it was not encoded or does not decode to
 * text. No real name contains `%` or `+`.
 */
export function decodePercentEncoded(value: string): string | undefined {
  if (!FORM_ESCAPE.test(value)) return undefined;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
