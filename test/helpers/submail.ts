import { XMLParser } from 'fast-xml-parser';
import { signSubmail } from '../../src/protocols/submail/signature.ts';

/** A SUBMAIL client's view of an app: what it signs with and sends. */
export interface SubmailApp {
  appid: string;
  appkey: string;
}

export type BodyEncoding = 'json' | 'form' | 'multipart';
export const ENCODINGS: readonly BodyEncoding[] = ['json', 'form', 'multipart'];

export interface SubmailReply {
  status: number;
  contentType: string;
  raw: string;
  /** The JSON body, or the XML `<root>` as an object of strings. */
  body: Record<string, unknown>;
}

/** The wire fields of a check request, with `signature` over them (each value URL-encoded, as the spec says). */
export function signedRequest(
  app: SubmailApp,
  fields: Record<string, string>,
  timestamp: string | number,
  sign: (appkey: string, signed: Record<string, string>) => string = signSubmail,
): Record<string, string> {
  const signed = { ...fields, timestamp: String(timestamp) };
  return { appid: app.appid, ...signed, signature: sign(app.appkey, signed) };
}

/** Idcard fields in the vendor's names. */
export const idcardFields = (p: { name: string; idNumber: string }) => ({ name: p.name, idNo: p.idNumber });
/** card_three_auth fields in the vendor's names. */
export const cardFields = (p: { name: string; idNumber: string; bankCard: string }) => ({
  name: p.name,
  idNo: p.idNumber,
  cardNumber: p.bankCard,
});

const xml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

/**
 * POSTs over loopback as a SUBMAIL client would: `fields` encoded as JSON, urlencoded or multipart.
 * A string body is sent verbatim with the given content type (for broken and hand-made bodies).
 */
export async function submailPost(
  baseUrl: string,
  path: string,
  fields: Record<string, unknown> | string,
  options: { encoding?: BodyEncoding; headers?: Record<string, string> } = {},
): Promise<SubmailReply> {
  const encoding = options.encoding ?? 'json';
  let body: string | FormData;
  const headers: Record<string, string> = {};
  if (typeof fields === 'string') {
    body = fields;
    headers['content-type'] = 'application/json';
  } else if (encoding === 'json') {
    body = JSON.stringify(fields);
    headers['content-type'] = 'application/json';
  } else if (encoding === 'form') {
    body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, String(v));
  }
  const response = await fetch(baseUrl + path, { method: 'POST', headers: { ...headers, ...options.headers }, body });
  return readReply(response);
}

export async function readReply(response: Response): Promise<SubmailReply> {
  const raw = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const parsed = contentType.startsWith('application/xml') ? (xml.parse(raw) as { root: Record<string, unknown> }).root : JSON.parse(raw);
  return { status: response.status, contentType, raw, body: parsed as Record<string, unknown> };
}

/** The error code of a reply, or 'success'. */
export function codeOf(reply: SubmailReply): string {
  return reply.body.status === 'success' ? 'success' : String(reply.body.code);
}
