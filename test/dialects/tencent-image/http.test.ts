import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signOriginal } from '../../../src/protocols/tencent-image/signature.ts';
import { outcome, post, sign, startHarness, type Credentials, type Harness, matchAll } from './harness.ts';

// Synthetic factors: the harness's verifier is scripted, so they never meet a registry.
const PERSON = { idcard_number: '110101199003070011', idcard_name: '张三' };
const CARD = { bankcard_number: '6222020200000000000' };
const BASE_TIME = Date.UTC(2024, 5, 1, 12, 0, 0);
const nowS = () => Math.floor(BASE_TIME / 1000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.clock.now = BASE_TIME;
  h.answer(matchAll);
});

const idcard = (creds: Credentials, extra: Record<string, unknown> = {}) => ({ appid: creds.appid, ...PERSON, ...extra });
const idbankcard = (creds: Credentials, extra: Record<string, unknown> = {}) => ({ appid: creds.appid, ...PERSON, ...CARD, ...extra });

/** Signed for `creds` unless an Authorization value is given. */
function send(creds: Credentials, body: unknown, authorization: string = sign(h, creds), path = '/auth/idcard') {
  return post(h, path, body, { authorization });
}

async function codeOf(creds: Credentials, body: unknown, authorization?: string, path?: string) {
  return (await send(creds, body, authorization, path)).code;
}

describe('a good request', () => {
  it('answers 0 with the vendor envelope on both routes', async () => {
    const creds = h.addApp();
    const reply = await send(creds, idcard(creds));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.raw)).toEqual({ code: 0, message: 'OK', data: { session_id: reply.sessionId } });
    expect(reply.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(await codeOf(creds, idbankcard(creds), sign(h, creds), '/auth/idbankcard')).toBe(0);
  });

  it('hands the verifier the kind and the factors of the route', async () => {
    const creds = h.addApp();
    const seen: unknown[] = [];
    h.answer((r) => {
      seen.push({ kind: r.kind, factors: r.factors });
      return matchAll(r);
    });
    await send(creds, idcard(creds));
    await send(creds, idbankcard(creds), sign(h, creds), '/auth/idbankcard');
    expect(seen).toEqual([
      { kind: 'idcard2', factors: { idNumber: PERSON.idcard_number, name: PERSON.idcard_name } },
      { kind: 'bankcard3', factors: { idNumber: PERSON.idcard_number, name: PERSON.idcard_name, bankCard: CARD.bankcard_number } },
    ]);
  });

  it('audits the answer with the session id, app, kind and code', async () => {
    const creds = h.addApp();
    const reply = await send(creds, idbankcard(creds), sign(h, creds), '/auth/idbankcard');
    const entry = h.audit.find((e) => e.checkId === reply.sessionId);
    expect(entry).toMatchObject({ appid: creds.appid, dialect: 'tencent-image', kind: 'bankcard3', code: '0', startedAt: BASE_TIME });
    expect(entry?.outcome?.verdict).toBe('match');
  });

  it('accepts the appid as a JSON number', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds, { appid: Number(creds.appid) }))).toBe(0);
  });

  it('accepts a signature without b, taking the body bucket or else the app default', async () => {
    const creds = h.addApp();
    const unbucketed = sign(h, creds, { bucket: undefined });
    expect(await codeOf(creds, idcard(creds), unbucketed)).toBe(0);
    expect(await codeOf(creds, idcard(creds, { bucket: 'other' }), unbucketed)).toBe(0);
    expect(await codeOf(creds, idcard(creds, { bucket: 'nope' }), unbucketed)).toBe(16);
  });

  it('accepts the signature fields in any order', async () => {
    const creds = h.addApp();
    const original = `f=&u=0&r=77&t=${nowS()}&e=${nowS() + 60}&k=${creds.secretId}&b=main&a=${creds.appid}`;
    expect(await codeOf(creds, idcard(creds), signOriginal(original, creds.secretKey))).toBe(0);
  });

  it('accepts a t signed up to 5 minutes ahead and an e up to 90 days after t', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { now: nowS() + 300, expiry: nowS() + 600 }))).toBe(0);
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { expiry: nowS() + 90 * 86400 }))).toBe(0);
  });

  it('ignores the JSON content type parameters and key order of the body', async () => {
    const creds = h.addApp();
    const body = JSON.stringify({ idcard_name: PERSON.idcard_name, appid: creds.appid, idcard_number: PERSON.idcard_number });
    const reply = await post(h, '/auth/idcard', body, { authorization: sign(h, creds), 'content-type': 'application/json; charset=UTF-8' });
    expect(reply.code).toBe(0);
  });
});

describe('every code of the table over loopback', () => {
  it('3: a suspended app, with the arrears message', async () => {
    const creds = h.addApp({ suspended: true });
    const reply = await send(creds, idcard(creds));
    expect([reply.status, reply.code, reply.message]).toEqual([200, 3, 'account abnormal,errorno is:2']);
  });

  it('4: no signature, or an empty one', async () => {
    const creds = h.addApp();
    expect((await post(h, '/auth/idcard', idcard(creds))).code).toBe(4);
    const reply = await send(creds, idcard(creds), '');
    expect([reply.code, reply.message]).toEqual([4, '签名为空']);
  });

  it('5: a malformed signature', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), 'not a signature')).toBe(5);
    expect(await codeOf(creds, idcard(creds), Buffer.from('short').toString('base64'))).toBe(5);
    const noK = signOriginal(`a=${creds.appid}&e=${nowS() + 60}&t=${nowS()}`, creds.secretKey);
    expect(await codeOf(creds, idcard(creds), noK)).toBe(5);
  });

  it('5: t more than 5 minutes ahead', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { now: nowS() + 301, expiry: nowS() + 900 }))).toBe(5);
  });

  it('5: e more than 90 days after t', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { expiry: nowS() + 90 * 86400 + 1 }))).toBe(5);
  });

  it("6: the signature's appid or bucket is not the request's", async () => {
    const creds = h.addApp();
    const other = h.addApp();
    expect(await codeOf(creds, idcard(other))).toBe(6);
    expect(await codeOf(creds, idcard(creds, { bucket: 'other' }))).toBe(6);
  });

  it('9: an expired signature', async () => {
    const creds = h.addApp();
    const signed = sign(h, creds, { expiry: nowS() + 10 });
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
    h.clock.now += 11_000;
    const reply = await send(creds, idcard(creds), signed);
    expect([reply.code, reply.message]).toEqual([9, '签名过期']);
  });

  it('9: a single-use signature whose t is more than 5 minutes old', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { expiry: 0, now: nowS() - 301 }))).toBe(9);
  });

  it('10: an unknown appid', async () => {
    const creds = h.addApp();
    const stranger = { ...creds, appid: '1999999999' };
    expect(await codeOf(stranger, idcard(stranger), sign(h, stranger))).toBe(10);
  });

  it('11: an unknown or revoked SecretId', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, { ...creds, secretId: 'AKIDnobody' }))).toBe(11);
    const second = h.addSecret(creds.appid);
    expect(await codeOf(second, idcard(second), sign(h, second))).toBe(0);
    h.revoke(second.secretId);
    expect(await codeOf(second, idcard(second), sign(h, second))).toBe(11);
  });

  it("12: another app's SecretId", async () => {
    const creds = h.addApp();
    const other = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, { ...other, appid: creds.appid }))).toBe(12);
  });

  it('13: a single-use signature used twice', async () => {
    const creds = h.addApp();
    const once = sign(h, creds, { expiry: 0 });
    expect(await codeOf(creds, idcard(creds), once)).toBe(0);
    h.clock.now += 60_000;
    const reply = await send(creds, idcard(creds), once);
    expect([reply.code, reply.message]).toEqual([13, '重放攻击']);
  });

  it('13: a single-use signature signed ahead of our clock stays spent for as long as it is acceptable', async () => {
    const creds = h.addApp();
    const once = sign(h, creds, { expiry: 0, now: nowS() + 300 });
    expect(await codeOf(creds, idcard(creds), once)).toBe(0);
    h.clock.now += 590_000; // t is now 290 s in the past: still inside its window
    expect(await codeOf(creds, idcard(creds), once)).toBe(13);
  });

  it('14: a wrong HMAC', async () => {
    const creds = h.addApp();
    const reply = await send(creds, idcard(creds), sign(h, { ...creds, secretKey: 'wrong' }));
    expect([reply.code, reply.message]).toEqual([14, '签名校验失败']);
  });

  it("15: over the app's QPS, admitted again a second later", async () => {
    const creds = h.addApp({ qps: 2 });
    expect(await codeOf(creds, idcard(creds))).toBe(0);
    expect(await codeOf(creds, idcard(creds))).toBe(0);
    expect(await codeOf(creds, idcard(creds))).toBe(15);
    h.clock.now += 1000;
    expect(await codeOf(creds, idcard(creds))).toBe(0);
  });

  it('16: an unknown bucket', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, { ...creds, bucket: 'nope' }))).toBe(16);
  });

  it.each([
    ['a missing name', { idcard_number: PERSON.idcard_number }],
    ['a name that is a number', { ...PERSON, idcard_name: 12345 }],
    ['an ID number that is null', { ...PERSON, idcard_number: null }],
    ['a bucket that is not a string', { ...PERSON, bucket: 7 }],
  ])('21: %s', async (_label, fields) => {
    const creds = h.addApp();
    expect(await codeOf(creds, { appid: creds.appid, ...fields })).toBe(21);
  });

  it('21: a missing or ill-typed appid', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, PERSON)).toBe(21);
    expect(await codeOf(creds, { ...PERSON, appid: true })).toBe(21);
    expect(await codeOf(creds, { ...PERSON, appid: -1 })).toBe(21);
  });

  it('21: a missing bank card on /auth/idbankcard', async () => {
    const creds = h.addApp();
    expect(await codeOf(creds, idcard(creds), sign(h, creds), '/auth/idbankcard')).toBe(21);
  });

  it('21: broken JSON, a body that is not an object, an empty body', async () => {
    const creds = h.addApp();
    const auth = { authorization: sign(h, creds) };
    for (const body of ['{"appid": "1', '[1,2]', '"text"', 'null', '']) {
      const reply = await post(h, '/auth/idcard', body, auth);
      expect([reply.status, reply.code, reply.message], body).toEqual([200, 21, '无效参数']);
    }
  });

  it('21: JSON that is not UTF-8', async () => {
    const creds = h.addApp();
    const body = Buffer.concat([Buffer.from(`{"appid":"${creds.appid}","idcard_number":"1","idcard_name":"`), Buffer.from([0xd5, 0xc5]), Buffer.from('"}')]);
    expect((await post(h, '/auth/idcard', body, { authorization: sign(h, creds) })).code).toBe(21);
  });

  it('21: an unsupported or missing content type', async () => {
    const creds = h.addApp();
    const body = JSON.stringify(idcard(creds));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect((await post(h, '/auth/idcard', body, { authorization: sign(h, creds), 'content-type': type })).code, type).toBe(21);
    }
    const res = await fetch(`${h.url}/auth/idcard`, { method: 'POST', headers: { authorization: sign(h, creds) }, body: Buffer.from(body) });
    expect(await res.json()).toMatchObject({ code: 21 });
  });

  it('23: a body over the limit, announced or streamed', async () => {
    const creds = h.addApp();
    const huge = idcard(creds, { padding: 'x'.repeat(17 * 1024) });
    const reply = await send(creds, huge);
    expect([reply.status, reply.code, reply.message]).toEqual([200, 23, '请求包体过大']);
    expect(reply.sessionId).toMatch(/^[0-9a-f]{32}$/);

    const chunk = new TextEncoder().encode(' '.repeat(4096));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${h.url}/auth/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sign(h, creds) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await res.json()).toMatchObject({ code: 23 });
  });

  it('24: a check the app may not run', async () => {
    const creds = h.addApp({ checks: ['bankcard3'] });
    expect(await codeOf(creds, idbankcard(creds), sign(h, creds), '/auth/idbankcard')).toBe(0);
    expect(await codeOf(creds, idcard(creds))).toBe(24);
  });

  it('24: a client address outside the allow-list', async () => {
    const inside = h.addApp({ ipAllow: ['127.0.0.0/8'] });
    expect(await codeOf(inside, idcard(inside))).toBe(0);
    const outside = h.addApp({ ipAllow: ['10.0.0.0/8'] });
    const reply = await send(outside, idcard(outside));
    expect([reply.code, reply.message]).toEqual([24, '没有权限']);
    // X-Forwarded-For from an untrusted peer is not believed.
    const forged = await post(h, '/auth/idcard', idcard(outside), { authorization: sign(h, outside), 'x-forwarded-for': '10.1.2.3' });
    expect(forged.code).toBe(24);
  });

  it('25: quota used up', async () => {
    const creds = h.addApp();
    h.answer(() => ({ refusal: 'quota_exhausted' }));
    const reply = await send(creds, idcard(creds));
    expect([reply.code, reply.message]).toEqual([25, '您购买的资源已用完']);
  });

  it.each([
    [{ verdict: 'unavailable', unavailable: 'error', billed: false }, 107, '鉴权服务不可用'],
    [{ verdict: 'unavailable', unavailable: 'unreachable', billed: false }, 108, '鉴权服务不可用'],
    [{ verdict: 'mismatch', mismatched: ['name'] }, -5803, '身份证号码与姓名不匹配'],
    [{ verdict: 'invalid', invalid: { field: 'idNumber', reason: 'checksum' }, billed: false }, -5804, '身份证号码无效'],
    [{ verdict: 'invalid', invalid: { field: 'name', reason: 'charset' }, billed: false }, -5806, '身份证号码或者姓名格式错误'],
    [{ verdict: 'not_found' }, -5807, '查询身份证信息失败'],
    [{ verdict: 'invalid', invalid: { field: 'bankCard', reason: 'luhn' }, billed: false }, -5808, '银行卡号无效'],
    [{ verdict: 'mismatch', mismatched: ['bankCard'] }, -5809, '银行卡号与身份信息不匹配'],
  ] as const)('the verifier says %j → %i', async (fields, code, message) => {
    const creds = h.addApp();
    h.answer(({ kind, checkId }) => ({ outcome: outcome(kind, checkId, fields as never) }));
    const reply = await send(creds, idbankcard(creds), sign(h, creds), '/auth/idbankcard');
    expect([reply.status, reply.code, reply.message]).toEqual([200, code, message]);
    expect(h.audit.find((e) => e.checkId === reply.sessionId)?.code).toBe(String(code));
  });

  it('213: an unexpected fault, logged with the session id and no factor', async () => {
    const creds = h.addApp();
    h.answer(() => {
      throw new Error(`exploded while checking ${PERSON.idcard_number}`);
    });
    const reply = await send(creds, idcard(creds));
    expect([reply.status, reply.code, reply.message]).toEqual([200, 213, '内部错误']);
    const logged = h.logs.join('\n');
    expect(logged).toContain(reply.sessionId);
    expect(logged).not.toContain(PERSON.idcard_number);
    expect(logged).not.toContain(PERSON.idcard_name);
    expect(h.audit.find((e) => e.checkId === reply.sessionId)?.code).toBe('213');
  });
});

describe('a multi-use signature sent again', () => {
  it('is judged afresh on every use: revoked secret (11), removed bucket (16), suspended app (3)', async () => {
    const creds = h.addApp();
    const signed = sign(h, creds, { expiry: nowS() + 3600 });
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
    h.updateApp(creds.appid, { buckets: ['other'], bucket: 'other' });
    expect(await codeOf(creds, idcard(creds, { bucket: 'main' }), signed)).toBe(16);
    h.updateApp(creds.appid, { buckets: ['main'], bucket: 'main', suspended: true });
    expect(await codeOf(creds, idcard(creds), signed)).toBe(3);
    h.updateApp(creds.appid, { suspended: false });
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
    h.revoke(creds.secretId);
    expect(await codeOf(creds, idcard(creds), signed)).toBe(11);
  });

  it('does not lend its good standing to a header with another HMAC', async () => {
    const creds = h.addApp();
    const signed = sign(h, creds, { expiry: nowS() + 3600 });
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
    const raw = Buffer.from(signed, 'base64');
    raw[0]! ^= 0x01;
    expect(await codeOf(creds, idcard(creds), raw.toString('base64'))).toBe(14);
    expect(await codeOf(creds, idcard(creds), signed)).toBe(0);
  });
});

describe('the order of checks, for pairs of faults', () => {
  const cases: [string, number, (c: Credentials) => { body: unknown; auth?: string; headers?: Record<string, string> }][] = [
    ['too large + unsupported type → 23', 23, () => ({ body: 'x'.repeat(20 * 1024), headers: { 'content-type': 'text/plain' } })],
    ['too large + no signature → 23', 23, (c) => ({ body: idcard(c, { padding: 'x'.repeat(20 * 1024) }), auth: '' })],
    ['broken JSON + no signature → 21', 21, () => ({ body: '{', auth: '' })],
    ['ill-typed field + bad HMAC → 21', 21, (c) => ({ body: idcard(c, { idcard_name: 1 }), auth: sign(h, { ...c, secretKey: 'x' }) })],
    ['malformed signature + unknown appid in body → 5', 5, () => ({ body: { ...PERSON, appid: '1' }, auth: 'garbage' })],
    ['t too far ahead + unknown appid → 5', 5, (c) => ({ body: idcard(c), auth: sign(h, { ...c, appid: '1' }, { now: nowS() + 400, expiry: nowS() + 900 }) })],
    ['unknown appid + unknown secret → 10', 10, (c) => ({ body: idcard(c), auth: sign(h, { ...c, appid: '1', secretId: 'AKIDx' }) })],
    ['unknown secret + appid not the body one → 11', 11, (c) => ({ body: { ...PERSON, appid: '42' }, auth: sign(h, { ...c, secretId: 'AKIDx' }) })],
    ["another app's secret + bucket unknown → 12", 12, (c) => ({ body: idcard(c), auth: sign(h, { ...h.addApp(), appid: c.appid, bucket: 'nope' }) })],
    ['appid mismatch + unknown bucket → 6', 6, (c) => ({ body: { ...PERSON, appid: '42' }, auth: sign(h, { ...c, bucket: 'nope' }) })],
    ['bad HMAC + unknown bucket → 16', 16, (c) => ({ body: idcard(c), auth: sign(h, { ...c, bucket: 'nope', secretKey: 'x' }) })],
    ['expired + bad HMAC → 14', 14, (c) => ({ body: idcard(c), auth: sign(h, { ...c, secretKey: 'x' }, { now: nowS() - 100, expiry: nowS() - 50 }) })],
    ['single-use too old + bad HMAC → 14', 14, (c) => ({ body: idcard(c), auth: sign(h, { ...c, secretKey: 'x' }, { now: nowS() - 400, expiry: 0 }) })],
  ];

  it.each(cases)('%s', async (_label, code, make) => {
    const creds = h.addApp();
    const { body, auth, headers } = make(creds);
    const authorization = auth ?? sign(h, creds);
    const reply = await post(h, '/auth/idcard', body, { ...(authorization ? { authorization } : {}), ...headers });
    expect(reply.code).toBe(code);
  });

  it('expired + suspended → 9', async () => {
    const creds = h.addApp({ suspended: true });
    expect(await codeOf(creds, idcard(creds), sign(h, creds, { now: nowS() - 100, expiry: nowS() - 50 }))).toBe(9);
  });

  it('replayed + suspended → 13', async () => {
    const creds = h.addApp();
    const once = sign(h, creds, { expiry: 0 });
    expect(await codeOf(creds, idcard(creds), once)).toBe(0);
    h.updateApp(creds.appid, { suspended: true });
    expect(await codeOf(creds, idcard(creds), once)).toBe(13);
  });

  it('suspended + over QPS → 3', async () => {
    const creds = h.addApp({ qps: 1 });
    expect(await codeOf(creds, idcard(creds))).toBe(0);
    h.updateApp(creds.appid, { suspended: true });
    expect(await codeOf(creds, idcard(creds))).toBe(3);
  });

  it('not permitted + over QPS → 24, and outside the allow-list + over QPS → 24', async () => {
    const creds = h.addApp({ qps: 1 });
    expect(await codeOf(creds, idcard(creds))).toBe(0);
    h.updateApp(creds.appid, { checks: ['bankcard3'] });
    expect(await codeOf(creds, idcard(creds))).toBe(24);
    h.updateApp(creds.appid, { checks: null, ipAllow: ['10.0.0.0/8'] });
    expect(await codeOf(creds, idcard(creds))).toBe(24);
  });

  it('over QPS + invalid factors → 15, without asking the verifier', async () => {
    const creds = h.addApp({ qps: 1 });
    expect(await codeOf(creds, idcard(creds))).toBe(0);
    h.answer(({ kind, checkId }) => ({ outcome: outcome(kind, checkId, { verdict: 'invalid', invalid: { field: 'idNumber', reason: 'checksum' } }) }));
    const before = h.verifierCalls();
    expect(await codeOf(creds, idcard(creds, { idcard_number: '123' }))).toBe(15);
    expect(h.verifierCalls()).toBe(before);
  });

  it('requests that fail the signature do not spend the QPS', async () => {
    const creds = h.addApp({ qps: 1 });
    for (let i = 0; i < 5; i++) expect(await codeOf(creds, idcard(creds), sign(h, { ...creds, secretKey: 'stolen?' }))).toBe(14);
    expect(await codeOf(creds, idcard(creds))).toBe(0);
  });
});

describe('audit of refusals', () => {
  it('records every answer, with the appid only once the app is known', async () => {
    const creds = h.addApp();
    const unknown = await send(creds, idcard(creds), sign(h, { ...creds, appid: '1' }));
    const bad = await send(creds, idcard(creds), sign(h, { ...creds, secretKey: 'x' }));
    const broken = await post(h, '/auth/idbankcard', '{', { authorization: sign(h, creds) });
    const byId = (id: string) => h.audit.find((e) => e.checkId === id);
    expect(byId(unknown.sessionId)).toMatchObject({ appid: null, code: '10', kind: 'idcard2' });
    expect(byId(bad.sessionId)).toMatchObject({ appid: creds.appid, code: '14', factors: { name: PERSON.idcard_name } });
    expect(byId(broken.sessionId)).toMatchObject({ appid: null, code: '21', kind: 'bankcard3', factors: {} });
  });
});

describe('behind a trusted proxy', () => {
  let proxied: Harness;
  beforeAll(async () => {
    proxied = await startHarness({ trustProxy: ['127.0.0.1/32'] });
  });
  afterAll(() => proxied.close());

  it("judges the allow-list by the X-Forwarded-For client when the peer is a trusted proxy", async () => {
    const creds = proxied.addApp({ ipAllow: ['10.0.0.0/8'] });
    const body = { appid: creds.appid, ...PERSON };
    const via = (xff?: string) =>
      post(proxied, '/auth/idcard', body, { authorization: sign(proxied, creds), ...(xff ? { 'x-forwarded-for': xff } : {}) });
    expect((await via('10.1.2.3')).code).toBe(0);
    expect((await via('10.1.2.3, 192.0.2.9')).code).toBe(24);
    expect((await via()).code).toBe(24);
  });
});
