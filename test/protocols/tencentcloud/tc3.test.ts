import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import {
  hostWithoutPort,
  parseAuthorization,
  scopeDate,
  signTc3,
  verifyTc3,
  type ActionName,
  type IncomingTc3Request,
  type Tc3Authorization,
} from '../../../src/protocols/tencentcloud/index.ts';
import { faceidClient, SDK_VERSION, sdkSign, startCaptureServer, type CapturedRequest, type CaptureServer } from '../../helpers/tencentcloud.ts';

/**
 * The verifier accepts exactly what the official client signs: the SDK's raw requests, captured on a
 * loopback server, for every action; and refuses each alteration with its reason.
 */
const SECRET_ID = 'AKIDsynthetic0000000000000000000001';
const SECRET_KEY = 'synthetic-secret-key-0000000000001';
const [person] = [...generateIdentities(1, 'tc3-test')];

const SDK_CALLS: Record<ActionName, Record<string, unknown>> = {
  IdCardVerification: { IdCard: person!.idNumber, Name: person!.name },
  BankCardVerification: { IdCard: person!.idNumber, Name: person!.name, BankCard: person!.bankCard, CertType: 0 },
  BankCard2EVerification: { Name: person!.name, BankCard: person!.bankCard },
  BankCard4EVerification: { Name: person!.name, BankCard: person!.bankCard, Phone: person!.phone, IdCard: person!.idNumber },
  PhoneVerification: { IdCard: person!.idNumber, Name: person!.name, Phone: person!.phone, VerifyMode: '1' },
};

function incoming(captured: CapturedRequest): IncomingTc3Request {
  const q = captured.url.indexOf('?');
  return {
    method: captured.method,
    path: q < 0 ? captured.url : captured.url.slice(0, q),
    query: q < 0 ? '' : captured.url.slice(q + 1),
    headers: captured.headers,
    body: captured.body,
  };
}

function authorizationOf(headers: IncomingTc3Request['headers']): Tc3Authorization {
  const parsed = parseAuthorization(headers.authorization);
  if (!parsed.ok) throw new Error(`unparsable Authorization: ${parsed.reason}`);
  return parsed.authorization;
}

const timestampOf = (r: IncomingTc3Request) => Number(r.headers['x-tc-timestamp']);

function verify(r: IncomingTc3Request, over: { authorization?: Tc3Authorization; secretKey?: string; nowMs?: number } = {}) {
  return verifyTc3({
    request: r,
    authorization: over.authorization ?? authorizationOf(r.headers),
    secretKey: over.secretKey ?? SECRET_KEY,
    nowMs: over.nowMs ?? timestampOf(r) * 1000 + 1500,
  });
}

/** Sends raw bytes with the given headers over loopback, as a hand-written client would. */
function send(server: CaptureServer, headers: Record<string, string>, body: string): Promise<void> {
  const [host, port] = server.endpoint.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('TC3-HMAC-SHA256 against the official tencentcloud-sdk-nodejs', () => {
  let server: CaptureServer;
  const captured = new Map<ActionName, IncomingTc3Request>();

  beforeAll(async () => {
    server = await startCaptureServer();
    const client = faceidClient({ endpoint: server.endpoint, secretId: SECRET_ID, secretKey: SECRET_KEY });
    const calls = client as unknown as Record<ActionName, (req: Record<string, unknown>) => Promise<{ Result?: string }>>;
    for (const [action, body] of Object.entries(SDK_CALLS) as [ActionName, Record<string, unknown>][]) {
      // The SDK resolves only on an HTTP 200 {"Response":{…}} answer.
      expect((await calls[action](body)).Result).toBe('0');
      captured.set(action, incoming(server.requests.at(-1)!));
    }
  });
  afterAll(() => server?.close());

  it('is version 4.1.x of the SDK', () => {
    expect(SDK_VERSION).toMatch(/^4\.1\.\d+$/);
  });

  it.each(Object.keys(SDK_CALLS) as ActionName[])('accepts the SDK\'s %s as sent: POST /, service "127" from the scope, content-type;host', (action) => {
    const r = captured.get(action)!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/');
    expect(r.headers['x-tc-action']).toBe(action);
    expect(r.headers['x-tc-version']).toBe('2018-03-01');
    expect(r.headers.host).toBe(server.endpoint);
    expect(JSON.parse(Buffer.from(r.body).toString('utf8'))).toEqual(SDK_CALLS[action]);
    const auth = authorizationOf(r.headers);
    expect(auth).toMatchObject({ secretId: SECRET_ID, service: '127', signedHeaders: ['content-type', 'host'], date: scopeDate(timestampOf(r)) });
    expect(verify(r)).toEqual({ ok: true, timestamp: timestampOf(r) });
  });

  it('signs byte for byte what the SDK signs, for the same request and timestamp', () => {
    for (const r of captured.values()) {
      const authorization = signTc3({
        request: { method: 'POST', path: '/', query: '', headers: { 'content-type': String(r.headers['content-type']), host: String(r.headers.host) }, body: r.body },
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        service: '127',
        timestamp: timestampOf(r),
      });
      expect(authorization).toBe(r.headers.authorization);
    }
  });

  it('signs as the SDK\'s own signer does for any body, host, service, key and timestamp', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom('faceid.tencentcloudapi.com', '127.0.0.1:8080', 'localhost:3000', '[::1]:9000', 'Realname.Example.COM'),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.constantFrom('application/json', 'application/json; charset=UTF-8'),
        (body, endpoint, secretKey, timestamp, contentType) => {
          const service = endpoint.split('.')[0]!;
          const theirs = sdkSign.sign3({
            method: 'POST',
            url: `http://${endpoint}/`,
            payload: Buffer.from(body),
            timestamp,
            service,
            secretId: SECRET_ID,
            secretKey,
            multipart: false,
            headers: { 'Content-Type': contentType },
          });
          // The SDK signs the content type as sent: 'as-sent' reproduces it; for a lower-case one both forms agree.
          const request = { method: 'POST', path: '/', query: '', headers: { 'content-type': contentType, host: endpoint }, body };
          expect(signTc3({ request, secretId: SECRET_ID, secretKey, service, timestamp, form: 'as-sent' })).toBe(theirs);
          if (contentType === contentType.toLowerCase()) expect(signTc3({ request, secretId: SECRET_ID, secretKey, service, timestamp })).toBe(theirs);
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('refuses what the SDK did not sign, with the reason', () => {
    const base = () => captured.get('IdCardVerification')!;
    const withHeaders = (r: IncomingTc3Request, headers: Record<string, string | undefined>): IncomingTc3Request => ({ ...r, headers: { ...r.headers, ...headers } });

    it('a tampered body: another name, or the same JSON spaced differently', () => {
      const r = base();
      const other = JSON.stringify({ ...SDK_CALLS.IdCardVerification, Name: '张三' });
      expect(verify({ ...r, body: Buffer.from(other) })).toEqual({ ok: false, reason: 'signature' });
      const spaced = JSON.stringify(JSON.parse(Buffer.from(r.body).toString('utf8')), null, 1);
      expect(verify({ ...r, body: Buffer.from(spaced) })).toEqual({ ok: false, reason: 'signature' });
      expect(verify({ ...r, body: Buffer.alloc(0) })).toEqual({ ok: false, reason: 'signature' });
    });

    it('other SignedHeaders than the signature was made over, or not content-type and host', () => {
      const r = base();
      const auth = authorizationOf(r.headers);
      expect(verify(r, { authorization: { ...auth, signedHeaders: ['content-type', 'host', 'x-tc-action'] } })).toEqual({ ok: false, reason: 'signature' });
      expect(verify(r, { authorization: { ...auth, signedHeaders: ['host', 'content-type'] } })).toEqual({ ok: false, reason: 'signature' });
      expect(verify(r, { authorization: { ...auth, signedHeaders: ['host'] } })).toEqual({ ok: false, reason: 'headers' });
      expect(verify(r, { authorization: { ...auth, signedHeaders: ['content-type', 'host', 'x-tc-token'] } })).toEqual({ ok: false, reason: 'headers' });
    });

    it('another key, or another service in the scope', () => {
      const r = base();
      expect(verify(r, { secretKey: `${SECRET_KEY}x` })).toEqual({ ok: false, reason: 'signature' });
      expect(verify(r, { authorization: { ...authorizationOf(r.headers), service: 'faceid' } })).toEqual({ ok: false, reason: 'signature' });
    });

    it('a scope date that is not the timestamp\'s UTC date', () => {
      const r = base();
      const auth = authorizationOf(r.headers);
      const dayBefore = scopeDate(timestampOf(r) - 86_400);
      expect(verify(r, { authorization: { ...auth, date: dayBefore } })).toEqual({ ok: false, reason: 'date' });
    });

    it('a timestamp more than 5 minutes from the clock, either way; exactly 5 minutes passes', () => {
      const r = base();
      const t = timestampOf(r) * 1000;
      expect(verify(r, { nowMs: t + 300_001 })).toEqual({ ok: false, reason: 'expired' });
      expect(verify(r, { nowMs: t - 300_001 })).toEqual({ ok: false, reason: 'expired' });
      expect(verify(r, { nowMs: t + 300_000 })).toMatchObject({ ok: true });
      expect(verify(r, { nowMs: t - 300_000 })).toMatchObject({ ok: true });
      expect(verify(r, { nowMs: t + 86_400_000 })).toEqual({ ok: false, reason: 'expired' });
    });

    it('a timestamp header changed, missing or not a number (it is signed)', () => {
      const r = base();
      const t = timestampOf(r);
      expect(verify(withHeaders(r, { 'x-tc-timestamp': String(t + 1) }), { nowMs: t * 1000 })).toEqual({ ok: false, reason: 'signature' });
      expect(verify(withHeaders(r, { 'x-tc-timestamp': undefined }))).toEqual({ ok: false, reason: 'timestamp_missing' });
      expect(verify(withHeaders(r, { 'x-tc-timestamp': `${t}.5` }))).toEqual({ ok: false, reason: 'timestamp_invalid' });
      expect(verify(withHeaders(r, { 'x-tc-timestamp': '' }))).toEqual({ ok: false, reason: 'timestamp_invalid' });
    });

    it('another host name or content type; the port is not signed', () => {
      const r = base();
      expect(verify(withHeaders(r, { host: 'faceid.tencentcloudapi.com' }))).toEqual({ ok: false, reason: 'signature' });
      expect(verify(withHeaders(r, { 'content-type': 'text/plain' }))).toEqual({ ok: false, reason: 'signature' });
      expect(verify(withHeaders(r, { host: '127.0.0.1:1' }))).toMatchObject({ ok: true });
      expect(verify(withHeaders(r, { host: undefined }))).toEqual({ ok: false, reason: 'headers' });
    });
  });

  it('accepts the SDK with a content type the user set (signed as sent, not lower-cased)', async () => {
    const client = faceidClient({ endpoint: server.endpoint, secretId: SECRET_ID, secretKey: SECRET_KEY, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
    await client.IdCardVerification({ IdCard: person!.idNumber, Name: person!.name });
    const r = incoming(server.requests.at(-1)!);
    expect(r.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(verify(r)).toMatchObject({ ok: true });
    // Its signature covers UTF-8 as written: the value in another case is not what it signed.
    expect(verify({ ...r, headers: { ...r.headers, 'content-type': 'application/json; charset=utf-8' } })).toEqual({ ok: false, reason: 'signature' });
  });

  it('accepts an independent client: Host faceid.tencentcloudapi.com (scope faceid), more signed headers, values lower-cased as the document says', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ Name: person!.name, BankCard: person!.bankCard });
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      host: 'faceid.tencentcloudapi.com',
      'x-tc-action': 'BankCard2EVerification',
      'x-tc-version': '2018-03-01',
      'x-tc-timestamp': String(timestamp),
    };
    const authorization = signTc3({
      request: { method: 'POST', path: '/', query: '', headers, body },
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      service: 'faceid',
      timestamp,
      signedHeaders: ['content-type', 'host', 'x-tc-action'],
    });
    await send(server, { ...headers, authorization }, body);
    const r = incoming(server.requests.at(-1)!);
    expect(r.headers.host).toBe('faceid.tencentcloudapi.com');
    expect(authorizationOf(r.headers)).toMatchObject({ service: 'faceid', signedHeaders: ['content-type', 'host', 'x-tc-action'] });
    expect(verify(r)).toEqual({ ok: true, timestamp });
    // x-tc-action is signed now: another action is another request.
    expect(verify({ ...r, headers: { ...r.headers, 'x-tc-action': 'IdCardVerification' } })).toEqual({ ok: false, reason: 'signature' });
    expect(verify({ ...r, body: Buffer.from(body.replace(person!.name, '李四')) })).toEqual({ ok: false, reason: 'signature' });
  });
});

describe('hostWithoutPort', () => {
  it('is the URL hostname the SDK signs', () => {
    for (const host of ['127.0.0.1:35863', 'faceid.tencentcloudapi.com', 'Faceid.TencentCloudAPI.com:443', '[::1]:8080', '[::1]', 'localhost']) {
      expect(hostWithoutPort(host)).toBe(new URL(`http://${host}/`).hostname);
    }
  });
});
