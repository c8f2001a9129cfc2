import fc from 'fast-check';
import type { DialectUnderTest, Draft, Person, Tenant } from '../dialects/types.ts';
import { encodeBody } from './encode.ts';

/**
 * Fuzzed requests. fast-check draws a plan — pure data: which route and person, how the fields are
 * mutilated, how it is signed, encoded and framed — and `materialize` turns it into bytes at the moment it
 * is sent (signatures carry the time). Every plan is one that a careless or hostile client could send.
 */

/** Text no validator expects: control characters, NUL, lone surrogates, bidi marks, quotes, URL escapes. */
const WEIRD = fc.constantFrom('\u0000', '\uD800', '\uDC00', '\r', '\n', '\r\n', '"', '\\', '&', '=', '%', '%E5%BC%A0', '+', '·', ' ', '\u3000', '\u202E', '\uFEFF', '𠮷', 'X', 'x', '1', '张', '江红');
const value = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.oneof(WEIRD, fc.constantFrom('0', '9', '6', '1'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', null, 0, -1, 1.5, true, [], {}, '1'.repeat(18), '9'.repeat(25)) },
  // a value longer than any limit: its length only, built when sent
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 40_000 }).map((n) => ({ big: n })) },
);

/**
 * Junk a client glues onto a good value: a name after an ID number (NAME: a registry person's, so the
 * plaintext grep finds it if it is kept), multipart debris, a space.
 */
const NAME = '\u0001name\u0001';
const JUNK = fc.constantFrom(` ${NAME}`, `\r\n${NAME}`, ' 莫永', '\r\n------x--\r\n', '\u0000', '\uD800', ' ', '  ', 'X', '0', '·', '%00');

const mutation = (fields: readonly string[]) =>
  fc.oneof(
    fc.record({ op: fc.constant('drop' as const), field: fc.constantFrom(...fields) }),
    fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...fields), value }),
    fc.record({ op: fc.constant('append' as const), field: fc.constantFrom(...fields), junk: JUNK }),
    fc.record({ op: fc.constant('extra' as const), field: fc.constantFrom('__proto__', 'constructor', 'toString', 'bucket', 'x', ''), value }),
  );
type Mutation = { op: 'drop'; field: string } | { op: 'set'; field: string; value: unknown } | { op: 'append'; field: string; junk: string } | { op: 'extra'; field: string; value: unknown };

const BODY = ['encoded', 'encoded', 'encoded', 'raw-bytes', 'invalid-utf8', 'duplicate-field', 'truncated', 'wrong-boundary'] as const;
const CONTENT_TYPE = ['right', 'right', 'right', 'missing', 'no-slash', 'charset', 'upper-case', 'text-plain', 'twice'] as const;
const FRAMING = ['length', 'length', 'length', 'chunked', 'split', 'bad-chunk', 'short-length', 'long-length-then-end', 'length-and-chunked', 'pipelined', 'oversize', 'header-junk', 'huge-header'] as const;

export interface Plan {
  route: number;
  /** Index into the registry's people; -1 for a valid identity not on file. */
  person: number;
  mutations: readonly Mutation[];
  /** How the request is signed; `fields` mutations after signing make its validity unknown. */
  signature: { kind: 'valid' | 'single-use' | 'forged'; forgery: number; rand: number };
  mutateAfterSigning: readonly Mutation[];
  encoding: number;
  body: (typeof BODY)[number];
  contentType: (typeof CONTENT_TYPE)[number];
  framing: (typeof FRAMING)[number];
  /** Where to cut the bytes into separate writes (fractions), and other byte positions. */
  cuts: number[];
  bytes: number[];
}

export function plans(dialect: DialectUnderTest, people: number): fc.Arbitrary<Plan> {
  const names = [...new Set(dialect.routes.flatMap((r) => Object.keys(dialect.fields(r.check, TENANT, PERSON))))];
  return fc.record({
    route: fc.nat(dialect.routes.length - 1),
    person: fc.integer({ min: -1, max: people - 1 }),
    mutations: fc.array(mutation(names), { maxLength: 3 }),
    signature: fc.record({
      kind: fc.constantFrom('valid', 'valid', 'single-use', 'forged'),
      forgery: fc.nat(dialect.forgeries.length - 1),
      rand: fc.nat(),
    }),
    mutateAfterSigning: fc.oneof({ weight: 4, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(mutation(['signature', 'timestamp', 'appid']), { maxLength: 1 }) }),
    encoding: fc.nat(dialect.encodings.length - 1),
    body: fc.constantFrom(...BODY),
    contentType: fc.constantFrom(...CONTENT_TYPE),
    framing: fc.constantFrom(...FRAMING),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
    bytes: fc.array(fc.nat(255), { minLength: 8, maxLength: 64 }),
  });
}

/** Stand-ins used only to learn the dialect's field names. */
const TENANT: Tenant = { appid: '1', bucket: 'b', secretId: 'k', secretKey: 's', appkey: 'a' };
const PERSON: Person = { name: 'n', idNumber: 'i', bankCard: 'c', phone: 'p' };

export interface FuzzCase {
  label: string;
  chunks: Buffer[];
  /** How many requests the bytes hold as HTTP sees them: at most this many answers may come back. */
  requests: number;
  /** Wait for this many answers (the connection may stay open), else for the server to close it. */
  responses?: number;
  endAfter: boolean;
  /** The signature is a forgery: an answer from past the signature check means it got through. */
  forged: boolean;
  /** A validly signed check: billable. */
  signed: boolean;
  /** A header of the draft holds a character HTTP refuses in a value (a NUL, a control): it is no well-framed request. */
  unreadableHeader: boolean;
}

/** What llhttp refuses in a header value: a control other than HTAB, or DEL. */
const unreadable = (value: string) => [...value].some((ch) => (ch < ' ' && ch !== '\t') || ch === '\u007f');

function apply(fields: Record<string, unknown>, mutations: readonly Mutation[], other: Person): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const m of mutations) {
    if (m.op === 'drop') delete out[m.field];
    else if (m.op === 'append') out[m.field] = `${typeof out[m.field] === 'string' ? out[m.field] : ''}${m.junk.replace(NAME, other.name)}`;
    else {
      const v = m.value as { big?: number } | unknown;
      const filled = typeof v === 'object' && v !== null && 'big' in v && typeof v.big === 'number' ? 'a'.repeat(v.big) : v;
      if (m.op === 'extra') Object.defineProperty(out, m.field, { value: filled, enumerable: true, writable: true, configurable: true });
      else out[m.field] = filled;
    }
  }
  return out;
}

const CRLF = '\r\n';

/** The plan as bytes, signed now. */
export function materialize(plan: Plan, dialect: DialectUnderTest, tenant: Tenant, people: readonly Person[], stranger: Person, nowMs: number): FuzzCase {
  const route = dialect.routes[plan.route]!;
  const person = plan.person < 0 ? stranger : people[plan.person]!;
  const other = people[(plan.person + 1 + people.length) % people.length]!;
  let draft: Draft = { path: route.path, check: route.check, fields: apply(dialect.fields(route.check, tenant, person), plan.mutations, other), headers: {} };
  const options = { nowMs, singleUse: plan.signature.kind === 'single-use', rand: plan.signature.rand };
  const forged = plan.signature.kind === 'forged';
  draft = forged ? dialect.forge(draft, tenant, options, dialect.forgeries[plan.signature.forgery]!) : dialect.sign(draft, tenant, options);
  draft = { ...draft, fields: apply(draft.fields, plan.mutateAfterSigning, other) };
  const signed = !forged && plan.mutateAfterSigning.length === 0 && plan.mutations.length === 0 && plan.body === 'encoded';

  const encoding = dialect.encodings[plan.encoding]!;
  let { body, contentType } = encodeBody(draft.fields, encoding);
  const at = (i: number) => plan.bytes[i % plan.bytes.length]!;
  switch (plan.body) {
    case 'raw-bytes':
      body = Buffer.from(plan.bytes);
      break;
    case 'invalid-utf8': {
      const pos = at(0) % (body.length + 1);
      body = Buffer.concat([body.subarray(0, pos), Buffer.from([0xff, 0xc3, 0x28]), body.subarray(pos)]);
      break;
    }
    case 'duplicate-field': {
      const [first] = Object.keys(draft.fields);
      if (first === undefined) break;
      const again = encodeBody({ [first]: 'again' }, encoding, 'realname-faults-boundary').body.toString('utf8');
      if (encoding === 'json') body = Buffer.from(body.toString('utf8').replace('{', `{${again.slice(1, -1)},`), 'utf8');
      else if (encoding === 'form') body = Buffer.concat([body, Buffer.from(`&${again}`)]);
      else body = Buffer.from(body.toString('utf8').replace(/--realname-faults-boundary--\r\n$/, again), 'utf8');
      break;
    }
    case 'truncated':
      body = body.subarray(0, at(1) % (body.length + 1));
      break;
    case 'wrong-boundary':
      if (encoding === 'multipart') contentType = 'multipart/form-data; boundary=another-boundary';
      else body = Buffer.concat([body, Buffer.from(plan.bytes)]);
      break;
    default:
      break;
  }
  if (plan.framing === 'oversize') body = Buffer.concat([body, Buffer.alloc(16 * 1024 + at(2) * 97, 0x20)]);

  // The content type a server reads (of two, Node keeps the first).
  const sentType = {
    right: contentType,
    missing: undefined,
    'no-slash': 'json',
    charset: `${contentType}; charset=${at(3) % 2 ? 'latin1' : 'utf-8'}`,
    'upper-case': contentType.toUpperCase(),
    'text-plain': 'text/plain',
    twice: contentType,
  }[plan.contentType];
  if (dialect.signSent && !forged && plan.mutateAfterSigning.length === 0) draft = dialect.signSent(draft, tenant, options, { body, contentType: sentType });

  const headers: string[] = [`host: 127.0.0.1`];
  if (sentType !== undefined) headers.push(`${plan.contentType === 'upper-case' ? 'Content-Type' : 'content-type'}: ${sentType}`);
  if (plan.contentType === 'twice') headers.push('content-type: text/plain');
  // Header values are Latin-1 on the wire: a signature with other characters is sent as its UTF-8 bytes.
  for (const [k, v] of Object.entries(draft.headers)) headers.push(`${k}: ${Buffer.from(v, 'utf8').toString('latin1')}`);
  if (plan.framing === 'header-junk') headers.push(at(4) % 2 ? 'x-folded: a\r\n continued' : 'x-nul: a\u0000b');
  if (plan.framing === 'huge-header') headers.push(`x-huge: ${'h'.repeat(20_000)}`);

  const head = (extra: string[], close: boolean) =>
    Buffer.from(`POST ${draft.path} HTTP/1.1${CRLF}${[...headers, ...extra, ...(close ? ['connection: close'] : [])].join(CRLF)}${CRLF}${CRLF}`, 'latin1');
  const chunked = (bytes: Buffer, sizes: (n: number) => string) => {
    const pieces: Buffer[] = [];
    let from = 0;
    for (const cut of [...plan.cuts.map((c) => Math.floor(c * bytes.length)).sort((a, b) => a - b), bytes.length]) {
      if (cut <= from) continue;
      pieces.push(Buffer.from(`${sizes(cut - from)}${CRLF}`), bytes.subarray(from, cut), Buffer.from(CRLF));
      from = cut;
    }
    return Buffer.concat([...pieces, Buffer.from(`0${CRLF}${CRLF}`)]);
  };

  let request: Buffer;
  let requests = 1;
  let responses: number | undefined;
  let endAfter = false;
  switch (plan.framing) {
    case 'chunked':
      request = Buffer.concat([head(['transfer-encoding: chunked'], true), chunked(body, (n) => n.toString(16))]);
      break;
    case 'bad-chunk': {
      const bad = ['zz', '-1', '1ffffffffffffffff', '', '5;ext=\u0000'][at(5) % 5]!;
      request = Buffer.concat([head(['transfer-encoding: chunked'], true), chunked(body, (n) => (n % 2 ? bad : bad || n.toString(16)))]);
      break;
    }
    case 'short-length': {
      // The last bytes of the body become the start of a second "request", which HTTP then refuses.
      const short = Math.max(0, body.length - 1 - (at(6) % 8));
      request = Buffer.concat([head([`content-length: ${short}`], false), body]);
      requests = 2;
      endAfter = true;
      break;
    }
    case 'long-length-then-end':
      request = Buffer.concat([head([`content-length: ${body.length + 1 + (at(7) % 100)}`], true), body]);
      endAfter = true;
      break;
    case 'length-and-chunked':
      request = Buffer.concat([head([`content-length: ${body.length}`, 'transfer-encoding: chunked'], true), chunked(body, (n) => n.toString(16))]);
      break;
    case 'pipelined': {
      const one = Buffer.concat([head([`content-length: ${body.length}`], false), body]);
      const two = Buffer.concat([head([`content-length: ${body.length}`], true), body]);
      request = Buffer.concat([one, two]);
      requests = 2;
      responses = 2;
      break;
    }
    default:
      request = Buffer.concat([head([`content-length: ${body.length}`], true), body]);
  }

  const cuts = plan.framing === 'split' ? plan.cuts.map((c) => Math.floor(c * request.length)).sort((a, b) => a - b) : [];
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, request.length]) {
    if (cut <= from) continue;
    chunks.push(request.subarray(from, cut));
    from = cut;
  }
  const label = `${dialect.name} ${route.path} ${plan.signature.kind}${forged ? `(${dialect.forgeries[plan.signature.forgery]})` : ''} ${encoding}/${plan.body}/${plan.contentType}/${plan.framing} mutations=${JSON.stringify([...plan.mutations, ...plan.mutateAfterSigning]).slice(0, 160)}`;
  const unreadableHeader = Object.values(draft.headers).some(unreadable);
  return { label, chunks, requests, ...(responses ? { responses } : {}), endAfter, forged, signed: signed && plan.framing !== 'oversize', unreadableHeader };
}
