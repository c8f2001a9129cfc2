import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/access/tenants.ts';
import { checkCharacter } from '../../src/core/id-number.ts';
import { signSubmail } from '../../src/protocols/submail/signature.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openStore } from '../../src/store/index.ts';
import type { AppPatch } from '../../src/store/types.ts';
import { codeOf as submailCode, readReply } from '../helpers/submail.ts';
import { postRaw, tc3Headers, type Tc3Spec } from '../helpers/tencentcloud.ts';

/**
 * Each dialect's documented order of checks, proved pair by pair: for every two adjacent steps, a
 * request that fails both answers the first one's code. The whole house answers (memory store, real
 * gate, real check path, an empty registry), so the order is the one users meet.
 */

const PERSON = { name: '张三', idNumber: ((b: string) => b + checkCharacter(b))('31010119960111001') };
const nowS = () => Math.floor(Date.now() / 1000);

/** What one request is made of; each fault changes some of it, two faults compose. */
interface Spec {
  app: AppPatch;
  body: Record<string, unknown>;
  contentType?: string;
  sign: Record<string, unknown>;
  /** Requests sent first with the same signature (a replay). */
  before: number;
  /** Sign with another app's secret, for the same appid. */
  foreignSecret?: boolean;
  /** Applied to the app after the `before` requests, before the one judged. */
  late?: AppPatch;
}

type Fault = [code: string, apply: (s: Spec) => void];

const store = openStore({ kind: 'memory' });
const services = assembleServices({ store, masterKey: randomBytes(32) });
const server = buildServer({ services, store });
let url = '';
beforeAll(async () => {
  url = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  await store.close();
});

async function newApp(patch: AppPatch): Promise<Credentials> {
  const created = await services.tenants.create({ name: `order ${randomBytes(4).toString('hex')}` });
  if (Object.keys(patch).length > 0) await services.tenants.update(created.appid, patch);
  return created;
}

async function send(path: string, spec: Spec, headers: (app: Credentials) => Record<string, string>, app: Credentials): Promise<Response> {
  const body = JSON.stringify(spec.body);
  const init = { method: 'POST', headers: { 'content-type': spec.contentType ?? 'application/json', ...headers(app) }, body };
  for (let i = 0; i < spec.before; i++) await fetch(url + path, init).then((r) => r.text());
  return fetch(url + path, init);
}

/** One test per adjacent pair of `faults`, in order. */
function pairs(dialect: string, faults: Fault[], run: (spec: Spec) => Promise<string>): void {
  describe(`${dialect}: the order of checks, pair by pair`, () => {
    for (let i = 0; i + 1 < faults.length; i++) {
      const [first, applyFirst] = faults[i]!;
      const [second, applySecond] = faults[i + 1]!;
      it(`${first} before ${second}`, async () => {
        const spec: Spec = { app: {}, body: {}, sign: {}, before: 0 };
        applySecond(spec);
        applyFirst(spec);
        expect(await run(spec)).toBe(first);
      });
    }
  });
}

// The image service: 23 → 21 → 4/5 → 10 → 11 → 12 → 6 → 16 → 14 → 9 → 13 → 3 → 24 → 24 → 15 → -5804 → 25.
pairs(
  'tencent-image',
  [
    ['23', (s) => void (s.body.padding = 'x'.repeat(20 * 1024))],
    ['21', (s) => void (s.body.idcard_name = 1)],
    ['4', (s) => void (s.sign.none = true)],
    ['10', (s) => void ((s.sign.appid = '1'), (s.body.appid = '1'))],
    ['11', (s) => void (s.sign.secretId = 'AKIDunknown')],
    ['12', (s) => void (s.foreignSecret = true)],
    ['6', (s) => void (s.body.appid = '42')],
    ['16', (s) => void (s.sign.bucket = 'nope')],
    ['14', (s) => void (s.sign.secretKey = 'wrong')],
    ['9', (s) => void ((s.sign.now = nowS() - 400), (s.sign.expiry = 0))],
    ['13', (s) => void ((s.sign.expiry = 0), (s.before = 1))],
    ['3', (s) => void (s.app.suspended = true)],
    ['24', (s) => void (s.app.checks = ['bankcard3'])],
    ['24', (s) => void (s.app.ipAllow = ['10.0.0.0/8'])],
    ['15', (s) => void (s.app.qps = 0)],
    ['-5804', (s) => void (s.body.idcard_number = '310101199601110010')],
    ['25', (s) => void (s.app.quota = 0)],
  ],
  async (spec) => {
    const app = await newApp(spec.app);
    const signer = spec.foreignSecret ? { ...(await newApp({})), appid: app.appid } : app;
    const body = { appid: app.appid, idcard_number: PERSON.idNumber, idcard_name: PERSON.name, ...spec.body };
    const headers = (a: Credentials): Record<string, string> => {
      if (spec.sign.none) return {};
      const now = (spec.sign.now as number | undefined) ?? nowS();
      const o = { appid: a.appid, bucket: a.bucket, secretId: signer.secretId, secretKey: signer.secretKey, now, expiry: now + 3600, rand: 1, ...spec.sign };
      return { authorization: signAuthorization(o as Parameters<typeof signAuthorization>[0]) };
    };
    const reply = await send('/auth/idcard', { ...spec, body }, headers, app);
    return String(((await reply.json()) as { code: number }).code);
  },
);

// SUBMAIL: 1224 → 1209 (body) → 1210 → 1212 → 1209 (fields) → 1208 → 1201 → 1202 → 1213 → 1204 → 1220 → 1206
// → 1218 → 1216 → 1215 → 1203.
pairs(
  'submail',
  [
    ['1224', (s) => void (s.body.padding = 'x'.repeat(20 * 1024))],
    ['1209', (s) => void (s.contentType = 'text/plain')],
    ['1210', (s) => void (s.body.appid = '')],
    ['1212', (s) => void (s.body.signature = '')],
    ['1209', (s) => void (s.body.idNo = 7)],
    ['1208', (s) => void (s.sign.timestamp = '12345')],
    ['1201', (s) => void (s.body.appid = '1')],
    ['1202', (s) => void (s.app.ipAllow = ['10.0.0.0/8'])],
    ['1213', (s) => void (s.sign.timestamp = String(nowS() - 600))],
    ['1204', (s) => void (s.sign.appkey = 'wrong')],
    ['1220', (s) => void (s.before = 1)],
    ['1206', (s) => void (s.app.suspended = true)],
    ['1218', (s) => void (s.app.checks = ['bankcard3'])],
    ['1216', (s) => void (s.app.qps = 0)],
    ['1215', (s) => void (s.sign.idNo = '310101199601110010')],
    ['1203', (s) => void (s.app.quota = 0)],
  ],
  async (spec) => {
    const app = await newApp(spec.app);
    const signed = { name: PERSON.name, idNo: (spec.sign.idNo as string | undefined) ?? PERSON.idNumber, timestamp: (spec.sign.timestamp as string | undefined) ?? String(nowS()) };
    const signature = signSubmail((spec.sign.appkey as string | undefined) ?? app.appkey, signed);
    const body = { appid: app.appid, ...signed, signature, ...spec.body };
    return submailCode(await readReply(await send('/factor/idcard', { ...spec, body }, () => ({}), app)));
  },
);

// Tencent Cloud FaceID: RequestSizeLimitExceeded → AuthFailure.InvalidAuthorization (missing, then unparsable) →
// AuthFailure.SecretIdNotFound → AuthFailure.SignatureExpire → AuthFailure.SignatureFailure → InvalidAction →
// NoSuchVersion → MissingParameter → InvalidParameter → UnknownParameter → UnsupportedOperation →
// UnauthorizedOperation.Arrears → UnauthorizedOperation.Nonactivated → IpNotInWhitelist → RequestLimitExceeded →
// -2 (invalid field) → -7 (identity daily limit) → LimitExceeded.
pairs(
  'tencentcloud',
  [
    ['RequestSizeLimitExceeded', (s) => void (s.body.Padding = 'x'.repeat(20 * 1024))],
    ['AuthFailure.InvalidAuthorization', (s) => void (s.sign.authorization = null)],
    ['AuthFailure.InvalidAuthorization', (s) => void (s.sign.authorization = 'TC3-HMAC-SHA256 Credential=broken')],
    ['AuthFailure.SecretIdNotFound', (s) => void (s.sign.secretId = 'AKIDunknown')],
    ['AuthFailure.SignatureExpire', (s) => void (s.sign.timestamp = nowS() - 400)],
    ['AuthFailure.SignatureFailure', (s) => void (s.sign.secretKey = 'wrong')],
    ['InvalidAction', (s) => void (s.sign.action = 'LivenessRecognition')],
    ['NoSuchVersion', (s) => void (s.sign.version = '2017-03-12')],
    ['MissingParameter', (s) => void (s.body.Name = undefined)],
    ['InvalidParameter', (s) => void (s.body.IdCard = 7)],
    ['UnknownParameter', (s) => void (s.body.Phone = '13800138000')],
    ['UnsupportedOperation', (s) => void (s.body.Encryption = { EncryptList: ['Name'], CiphertextBlob: 'AQID', Iv: '0123456789abcdef' })],
    ['UnauthorizedOperation.Arrears', (s) => void (s.app.suspended = true)],
    ['UnauthorizedOperation.Nonactivated', (s) => void (s.app.checks = ['bankcard3'])],
    ['IpNotInWhitelist', (s) => void (s.app.ipAllow = ['10.0.0.0/8'])],
    ['RequestLimitExceeded', (s) => void (s.app.qps = 0)],
    ['-2', (s) => void (s.body.IdCard = '310101199601110010')],
    ['-7', (s) => void ((s.app.dailyPerId = 1), (s.before = 1))],
    ['LimitExceeded', (s) => void (s.late = { quota: 0 })],
  ],
  async (spec) => {
    const app = await newApp(spec.app);
    const endpoint = new URL(url).host;
    const body = JSON.stringify({ IdCard: PERSON.idNumber, Name: PERSON.name, ...spec.body });
    const headers = tc3Headers({ secretId: app.secretId, secretKey: app.secretKey, body, ...spec.sign } as Tc3Spec, endpoint);
    for (let i = 0; i < spec.before; i++) await postRaw(endpoint, '/', headers, body);
    if (spec.late) await services.tenants.update(app.appid, spec.late);
    const reply = await postRaw(endpoint, '/', headers, body);
    expect(reply.status).toBe(200);
    return reply.json.Response.Error?.Code ?? String(reply.json.Response.Result);
  },
);

// REST /v1: 413 → api_key_missing → api_key_malformed → api_key_invalid (no such key) → api_key_invalid (not
// its secret) → api_key_revoked → unsupported_media_type → bad_request → invalid_request → app_suspended →
// kind_not_permitted → ip_denied → rate_limited → invalid (a 200 verdict) → daily_limited → quota_exhausted.
pairs(
  'rest',
  [
    ['body_too_large', (s) => void (s.body.padding = 'x'.repeat(20 * 1024))],
    ['api_key_missing', (s) => void (s.sign.authorization = null)],
    ['api_key_malformed', (s) => void (s.sign.authorization = 'Basic dXNlcjpwYXNz')],
    ['api_key_invalid', (s) => void (s.sign.unknownKey = true)],
    ['api_key_invalid', (s) => void (s.sign.wrongSecret = true)],
    ['api_key_revoked', (s) => void (s.sign.revoked = true)],
    ['unsupported_media_type', (s) => void (s.contentType = 'text/plain')],
    ['bad_request', (s) => void (s.sign.raw = '{"kind":')],
    ['invalid_request', (s) => void (s.body.kind = 'idcard9')],
    ['app_suspended', (s) => void (s.app.suspended = true)],
    ['kind_not_permitted', (s) => void (s.app.checks = ['bankcard3'])],
    ['ip_denied', (s) => void (s.app.ipAllow = ['10.0.0.0/8'])],
    ['rate_limited', (s) => void (s.app.qps = 0)],
    ['invalid', (s) => void (s.body.factors = { name: PERSON.name, idNumber: '310101199601110010' })],
    ['daily_limited', (s) => void ((s.app.dailyPerId = 1), (s.before = 1))],
    ['quota_exhausted', (s) => void (s.late = { quota: 0 })],
  ],
  async (spec) => {
    const app = await newApp(spec.app);
    const made = await services.apiKeys.create(app.appid);
    let key = made.key;
    if (spec.sign.unknownKey) key = `rn_live_${'Z'.repeat(16)}_${key.slice(-32)}`;
    if (spec.sign.wrongSecret) key = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    if (spec.sign.revoked) await services.apiKeys.revoke(app.appid, made.keyId);
    const authorization = spec.sign.authorization === undefined ? `Bearer ${key}` : (spec.sign.authorization as string | null);
    const body = (spec.sign.raw as string | undefined) ?? JSON.stringify({ kind: 'idcard2', factors: { name: PERSON.name, idNumber: PERSON.idNumber }, ...spec.body });
    const headers: Record<string, string> = { 'content-type': spec.contentType ?? 'application/json', ...(authorization === null ? {} : { authorization }) };
    for (let i = 0; i < spec.before; i++) await fetch(`${url}/v1/checks`, { method: 'POST', headers, body }).then((r) => r.text());
    if (spec.late) await services.tenants.update(app.appid, spec.late);
    const reply = await fetch(`${url}/v1/checks`, { method: 'POST', headers, body });
    const json = (await reply.json()) as { type?: string; verdict?: string };
    return json.verdict ?? String(json.type).replace('urn:realname:problem:', '');
  },
);
