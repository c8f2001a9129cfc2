import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalCheckId } from '../../../src/core/check-id.ts';
import { startRealname, type Realname } from '../../helpers/realname.ts';
import { postRaw, sendTc3, tc3Headers, type RawReply, type Tc3Spec } from '../../helpers/tencentcloud.ts';

/**
 * What the official client cannot send, from an independent signer (src/protocols/tencentcloud's,
 * proven byte for byte against the SDK's own): the vendor's Host, other SignedHeaders, tampered bodies,
 * timestamps outside the window, broken bodies and headers. Every answer is HTTP 200 in the vendor's
 * envelope, never a 500.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let rn: Realname;
let endpoint: string;
beforeAll(async () => {
  rn = await startRealname({ identities: 10 });
  endpoint = new URL(rn.url).host;
});
afterAll(() => rn?.close());

const person = () => rn.people[0]!;
const idCardBody = () => JSON.stringify({ IdCard: person().idNumber, Name: person().name });
const spec = (over: Partial<Tc3Spec> = {}): Tc3Spec => ({ secretId: rn.app.secretId, secretKey: rn.app.secretKey, body: idCardBody(), ...over });
const nowS = () => Math.floor(rn.now() / 1000);

/** The Result, or the Error's code; and every answer is HTTP 200 with a UUID RequestId. */
function codeOf(reply: RawReply): string {
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.json.Response.RequestId).toMatch(UUID);
  return reply.json.Response.Error?.Code ?? String(reply.json.Response.Result);
}
const send = async (over: Partial<Tc3Spec> = {}) => codeOf(await sendTc3(endpoint, spec(over)));

describe('TC3 requests the official client cannot send', () => {
  it('accepts the vendor\'s own Host (DNS pointed at Realname) with the scope\'s service "faceid"', async () => {
    expect(await send({ host: 'faceid.tencentcloudapi.com' })).toBe('0');
    expect(await send({ host: 'faceid.tencentcloudapi.com:443', service: 'faceid' })).toBe('0');
  });

  it('honours the SignedHeaders the client names, and refuses a signed header altered or left unsigned', async () => {
    const signedHeaders = ['content-type', 'host', 'x-tc-action', 'x-tc-timestamp'];
    expect(await send({ signedHeaders })).toBe('0');
    const headers = tc3Headers(spec({ signedHeaders }), endpoint);
    expect(codeOf(await postRaw(endpoint, '/', { ...headers, 'x-tc-action': 'PhoneVerification' }, idCardBody()))).toBe('AuthFailure.SignatureFailure');
    // An unsigned header may change (X-TC-Action is not signed by the SDK): it is the body that is signed.
    const plain = tc3Headers(spec(), endpoint);
    expect(codeOf(await postRaw(endpoint, '/', { ...plain, 'x-tc-language': 'en-US' }, idCardBody()))).toBe('0');
    // content-type and host must be signed.
    expect(await send({ signedHeaders: ['host'] })).toBe('AuthFailure.SignatureFailure');
    // A signed header that does not arrive.
    const region = tc3Headers(spec({ signedHeaders: ['content-type', 'host', 'x-tc-region'], headers: { 'x-tc-region': 'ap-guangzhou' } }), endpoint);
    expect(codeOf(await postRaw(endpoint, '/', region, idCardBody()))).toBe('0');
    const { 'x-tc-region': _dropped, ...withoutRegion } = region;
    expect(codeOf(await postRaw(endpoint, '/', withoutRegion, idCardBody()))).toBe('AuthFailure.SignatureFailure');
  });

  it('refuses a tampered body: another name, or the same JSON spaced differently', async () => {
    const headers = tc3Headers(spec(), endpoint);
    const other = JSON.stringify({ IdCard: person().idNumber, Name: rn.people[1]!.name });
    expect(codeOf(await postRaw(endpoint, '/', headers, other))).toBe('AuthFailure.SignatureFailure');
    expect(codeOf(await postRaw(endpoint, '/', headers, JSON.stringify(JSON.parse(idCardBody()), null, 1)))).toBe('AuthFailure.SignatureFailure');
  });

  it('takes X-TC-Timestamp within 5 minutes of the server clock either way, and the scope\'s date must be its UTC date', async () => {
    expect(await send({ timestamp: nowS() - 299 })).toBe('0');
    expect(await send({ timestamp: nowS() + 299 })).toBe('0');
    expect(await send({ timestamp: nowS() - 301 })).toBe('AuthFailure.SignatureExpire');
    expect(await send({ timestamp: nowS() + 301 })).toBe('AuthFailure.SignatureExpire');
    expect(await send({ timestamp: nowS() - 86_400 * 365 })).toBe('AuthFailure.SignatureExpire');
    const t = nowS();
    const good = tc3Headers(spec({ timestamp: t }), endpoint);
    const otherDay = good.authorization!.replace(/\/\d{4}-\d{2}-\d{2}\//, '/2001-01-01/');
    expect(codeOf(await postRaw(endpoint, '/', { ...good, authorization: otherDay }, idCardBody()))).toBe('AuthFailure.SignatureFailure');
  });

  it('answers a request sent again inside its window again (TC3 has no single-use signature), billing each', async () => {
    const app = await rn.createApp({ name: 'replay', quota: 5 });
    const s = spec({ secretId: app.secretId, secretKey: app.secretKey });
    const headers = tc3Headers(s, endpoint);
    const first = await postRaw(endpoint, '/', headers, s.body);
    const again = await postRaw(endpoint, '/', headers, s.body);
    expect([codeOf(first), codeOf(again)]).toEqual(['0', '0']);
    expect(again.json.Response.RequestId).not.toBe(first.json.Response.RequestId);
    expect((await rn.store.apps.get(app.appid))?.quota).toBe(3);
  });

  it('covers the query string when one is sent', async () => {
    expect(await send({ path: '/?Nonce=1' })).toBe('0');
    const headers = tc3Headers(spec({ path: '/?Nonce=1' }), endpoint);
    expect(codeOf(await postRaw(endpoint, '/?Nonce=2', headers, idCardBody()))).toBe('AuthFailure.SignatureFailure');
  });

  it('echoes the client\'s X-TC-TraceId, and gives every answer a RequestId the audit finds in either form', async () => {
    const traceId = '5a0e7f0e-3f5c-4b8f-9d54-0d7a1c2b3e4f';
    const reply = await sendTc3(endpoint, spec({ headers: { 'x-tc-traceid': traceId } }));
    expect(reply.headers['x-tc-traceid']).toBe(traceId);
    const requestId = reply.json.Response.RequestId;
    for (const quoted of [requestId, requestId.toUpperCase(), canonicalCheckId(requestId)]) {
      expect((await rn.store.audit.query({ checkId: quoted })).map((r) => r.code)).toEqual(['0']);
    }
    const junk = await sendTc3(endpoint, spec({ headers: { 'x-tc-traceid': 'a b\tc' } }));
    expect(junk.headers['x-tc-traceid']).toBeUndefined();
  });
});

describe('every bad input of the refusal table: its code, HTTP 200, never a 500', () => {
  const big = JSON.stringify({ IdCard: '1', Name: 'x'.repeat(20 * 1024) });
  const cases: [string, string, () => Partial<Tc3Spec>, string?][] = [
    ['a body over the limit', 'RequestSizeLimitExceeded', () => ({ body: big })],
    ['no Authorization', 'AuthFailure.InvalidAuthorization', () => ({ authorization: null }), 'no Authorization'],
    ['an empty Authorization', 'AuthFailure.InvalidAuthorization', () => ({ authorization: '' }), 'no Authorization'],
    ['an Authorization of another scheme', 'AuthFailure.InvalidAuthorization', () => ({ authorization: 'Bearer abc' }), 'not of the form'],
    ['an Authorization without Signature', 'AuthFailure.InvalidAuthorization', () => ({ authorization: `TC3-HMAC-SHA256 Credential=${rn.app.secretId}/2024-01-01/faceid/tc3_request, SignedHeaders=content-type;host` })],
    ['an unknown SecretId', 'AuthFailure.SecretIdNotFound', () => ({ secretId: 'AKIDunknown' })],
    ['no X-TC-Timestamp', 'MissingParameter', () => ({ timestamp: null }), 'X-TC-Timestamp'],
    ['a timestamp that is no number', 'InvalidParameter', () => ({ headers: { 'x-tc-timestamp': 'yesterday' } }), 'X-TC-Timestamp'],
    ['a timestamp in milliseconds', 'InvalidParameter', () => ({ headers: { 'x-tc-timestamp': String(Date.now()) } }), 'X-TC-Timestamp'],
    ['a timestamp a year old', 'AuthFailure.SignatureExpire', () => ({ timestamp: nowS() - 366 * 86_400 })],
    ['the wrong SecretKey', 'AuthFailure.SignatureFailure', () => ({ secretKey: 'not-the-key' })],
    ['no X-TC-Action', 'MissingParameter', () => ({ action: null }), 'X-TC-Action'],
    ['an unknown X-TC-Action', 'InvalidAction', () => ({ action: 'LivenessRecognition' })],
    ['no X-TC-Version', 'MissingParameter', () => ({ version: null }), 'X-TC-Version'],
    ['another X-TC-Version', 'NoSuchVersion', () => ({ version: '2017-03-12' })],
    ['broken JSON', 'InvalidParameter', () => ({ body: '{"IdCard":' }), 'not a JSON object'],
    ['a JSON array', 'InvalidParameter', () => ({ body: '[]' }), 'not a JSON object'],
    ['an empty body', 'InvalidParameter', () => ({ body: '' })],
    ['a key given twice', 'InvalidParameter', () => ({ body: `{"IdCard":"${person().idNumber}","Name":"${person().name}","Name":"${rn.people[1]!.name}"}` })],
    ['bytes that are not UTF-8', 'InvalidParameter', () => ({ body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) })],
    ['a text/plain body', 'InvalidParameter', () => ({ contentType: 'text/plain', body: idCardBody() })],
    ['a form body', 'InvalidParameter', () => ({ contentType: 'application/x-www-form-urlencoded', body: 'IdCard=1&Name=2' })],
    ['a required field missing', 'MissingParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber }) }), 'Name'],
    ['a null required field', 'MissingParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: null }) }), 'Name'],
    ['a number for a string', 'InvalidParameter', () => ({ body: JSON.stringify({ IdCard: 110101199003070000, Name: person().name }) }), 'IdCard'],
    ['an object for a string', 'InvalidParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: { first: 'x' } }) }), 'Name'],
    ['CertType 0.5', 'InvalidParameter', () => ({ action: 'BankCardVerification', body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, BankCard: person().bankCard, CertType: 0.5 }) }), 'CertType'],
    ['a field the action does not define', 'UnknownParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Region: 'ap-guangzhou' }) }), 'Region'],
    ['Encryption without its Iv', 'MissingParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'AQID' } }) }), 'Encryption.Iv'],
    ['an unknown Encryption field', 'UnknownParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'A', Iv: 'B', Key: 'k' } }) }), 'Encryption.Key'],
    ['an Algorithm the vendor does not have', 'InvalidParameterValue', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'A', Iv: 'B', Algorithm: 'DES' } }) }), 'Encryption.Algorithm'],
    ['an Encryption object', 'UnsupportedOperation', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'A', Iv: 'B' } }) }), 'Encryption'],
    ['PhoneVerification\'s EncryptList', 'UnsupportedOperation', () => ({ action: 'PhoneVerification', body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, Phone: person().phone, EncryptList: ['Phone'] }) }), 'EncryptList'],
    ['an unknown key that is a factor', 'UnknownParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, [person().idNumber.slice(0, 17) + 'X']: 1, [person().phone]: 2 }) }), 'A parameter is not defined by this action.'],
    ['an unknown key in Chinese', 'UnknownParameter', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: person().name, [person().name]: 1 }) })],
    ['an empty name', '-3', () => ({ body: JSON.stringify({ IdCard: person().idNumber, Name: '' }) })],
    ['an ID number of letters', '-2', () => ({ body: JSON.stringify({ IdCard: 'ABCDEFGHIJKLMNOPQR', Name: person().name }) })],
  ];

  it.each(cases)('%s → %s', async (_what, code, make, inMessage) => {
    const over = make();
    const reply = await sendTc3(endpoint, spec(over));
    expect(codeOf(reply)).toBe(code);
    const message = reply.json.Response.Error?.Message ?? '';
    if (inMessage) expect(message).toContain(inMessage);
    // A message names a field or the cause, never a value the client sent.
    for (const value of [person().idNumber, person().idNumber.slice(0, 17), person().name, person().bankCard, person().phone, 'ap-guangzhou', 'LivenessRecognition']) {
      expect(message).not.toContain(value);
    }
  });
});

describe('identity daily limits are per calendar day in Asia/Shanghai', () => {
  it('refuses the second check of an ID number on a day, and admits it again at midnight in Shanghai (16:00 UTC)', async () => {
    const app = await rn.createApp({ name: 'midnight', dailyPerId: 1 });
    const at = async (utc: number) => {
      rn.setNow(utc);
      return send({ secretId: app.secretId, secretKey: app.secretKey, timestamp: Math.floor(utc / 1000) });
    };
    try {
      const evening = Date.UTC(2030, 5, 1, 15, 59, 0);
      expect(await at(evening)).toBe('0');
      expect(await at(evening + 30_000)).toBe('-7');
      expect(await at(Date.UTC(2030, 5, 1, 16, 0, 0))).toBe('0');
      expect(await at(Date.UTC(2030, 5, 2, 1, 0, 0))).toBe('-7');
    } finally {
      rn.setNow();
    }
  });
});
