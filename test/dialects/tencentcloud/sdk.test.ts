import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../../src/access/tenants.ts';
import { canonicalCheckId } from '../../../src/core/check-id.ts';
import { validatePhone } from '../../../src/core/phone.ts';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import type { ActionName } from '../../../src/protocols/tencentcloud/index.ts';
import { signSubmail } from '../../../src/protocols/submail/signature.ts';
import { buildServer } from '../../../src/server.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import { openStore } from '../../../src/store/index.ts';
import type { Store } from '../../../src/store/types.ts';
import { startRealname, type Person, type Realname } from '../../helpers/realname.ts';
import { faceidClient, type FaceidClient } from '../../helpers/tencentcloud.ts';

/**
 * The official tencentcloud-sdk-nodejs FaceID client, unmodified but for its endpoint, against the whole
 * house on loopback (SQLite, a synthetic registry): every action, every Result Realname answers, the
 * auth errors, QPS and quota, rotated and revoked secrets, and what the SDK lets a caller send wrong.
 */

type Answer = { Result: string; Description: string; RequestId: string; Isp?: string; ResultDetail?: string };
type Failure = { code: string; message: string; requestId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const wrongCheckDigit = (id: string) => id.slice(0, 17) + (id.endsWith('1') ? '2' : '1');
const BAD = { name: 'John3', bankCard: '4111111111111112', phone: '12345678901' };
const [stranger] = [...generateIdentities(1, 'faceid-stranger')];

let rn: Realname;
let endpoint: string;
beforeAll(async () => {
  rn = await startRealname({ identities: 60 });
  endpoint = new URL(rn.url).host;
});
afterAll(() => rn?.close());

let next = 0;
/** A registry person no other test has used (daily limits and audits stay apart). */
const fresh = (): Person => rn.people[next++]!;
const client = (who: { secretId: string; secretKey: string } = rn.app): FaceidClient => faceidClient({ endpoint, secretId: who.secretId, secretKey: who.secretKey });

/** Calls an action through the SDK's own method; the SDK resolves only on an HTTP 200 verdict. */
function call(c: FaceidClient, action: ActionName, req: Record<string, unknown>): Promise<Answer> {
  return (c as unknown as Record<ActionName, (r: unknown) => Promise<Answer>>)[action](req);
}

/** The SDK's rejection for an Error envelope: its code, message and the RequestId it read. */
async function failure(pending: Promise<unknown>): Promise<Failure> {
  try {
    await pending;
  } catch (e) {
    const err = e as { code?: string; message: string; requestId?: string };
    return { code: err.code ?? '(none)', message: err.message, requestId: err.requestId ?? '' };
  }
  throw new Error('expected the SDK to reject');
}

/** Each action's request for a person, in the vendor's field names. */
const REQUESTS: Record<ActionName, (p: Partial<Person>) => Record<string, unknown>> = {
  IdCardVerification: (p) => ({ IdCard: p.idNumber, Name: p.name }),
  BankCardVerification: (p) => ({ IdCard: p.idNumber, Name: p.name, BankCard: p.bankCard }),
  BankCard2EVerification: (p) => ({ Name: p.name, BankCard: p.bankCard }),
  BankCard4EVerification: (p) => ({ Name: p.name, BankCard: p.bankCard, Phone: p.phone, IdCard: p.idNumber }),
  PhoneVerification: (p) => ({ IdCard: p.idNumber, Name: p.name, Phone: p.phone }),
};
const ACTIONS = Object.keys(REQUESTS) as ActionName[];

async function quotaApp(quota: number): Promise<Credentials> {
  return rn.createApp({ name: 'billing', quota });
}
const quotaLeft = async (app: Credentials) => (await rn.store.apps.get(app.appid))?.quota;

describe('the official FaceID client against Realname', () => {
  it.each(ACTIONS)('%s answers "0" with the table\'s Description for a registry identity, its RequestId the audited check id', async (action) => {
    const answer = await call(client(), action, REQUESTS[action](fresh()));
    const description = { IdCardVerification: '姓名和身份证号一致', PhoneVerification: '三要素信息一致' }[action as string] ?? '认证通过';
    expect(answer).toMatchObject({ Result: '0', Description: description });
    expect(answer.RequestId).toMatch(UUID);
    const [record] = await rn.store.audit.query({ checkId: answer.RequestId });
    expect(record).toMatchObject({ checkId: canonicalCheckId(answer.RequestId), dialect: 'tencentcloud', code: '0', verdict: 'match', appid: rn.app.appid });
  });

  it('answers each action\'s mismatch: -1, and PhoneVerification -4 with ResultDetail only when VerifyMode is "1"', async () => {
    const [p, q] = [fresh(), fresh()];
    const c = client();
    expect((await call(c, 'IdCardVerification', { IdCard: p.idNumber, Name: q.name })).Result).toBe('-1');
    expect((await call(c, 'BankCardVerification', REQUESTS.BankCardVerification({ ...p, bankCard: q.bankCard }))).Result).toBe('-1');
    expect((await call(c, 'BankCard2EVerification', { Name: q.name, BankCard: p.bankCard })).Result).toBe('-1');
    expect(await call(c, 'BankCard4EVerification', REQUESTS.BankCard4EVerification({ ...p, phone: q.phone }))).toMatchObject({ Result: '-1', Description: '认证未通过' });

    const phone = (over: Partial<Person>, VerifyMode?: string) => call(c, 'PhoneVerification', { ...REQUESTS.PhoneVerification({ ...p, ...over }), ...(VerifyMode ? { VerifyMode } : {}) });
    const simple = await phone({ phone: q.phone });
    expect(simple).toMatchObject({ Result: '-4', Description: '三要素信息不一致' });
    expect(simple).not.toHaveProperty('ResultDetail');
    expect(await phone({ phone: q.phone }, '0')).not.toHaveProperty('ResultDetail');
    expect((await phone({ phone: q.phone }, '1')).ResultDetail).toBe('PhoneNameIdCardMismatch');
    expect((await phone({ name: q.name }, '1')).ResultDetail).toBe('PhoneNameMismatch');
    expect((await phone({ name: q.name, phone: q.phone }, '1')).ResultDetail).toBe('NameIdCardMismatch');
    expect(await phone({}, '1')).not.toHaveProperty('ResultDetail');
  });

  it('answers no record per action, and bills it as the vendor does: IdCard -5 and Phone -9 not, the bank-card actions\' 持卡人信息有误 yes', async () => {
    const app = await quotaApp(10);
    const c = client(app);
    const expected: Record<ActionName, [string, string]> = {
      IdCardVerification: ['-5', '证件库中无此身份证记录'],
      BankCardVerification: ['-5', '持卡人信息有误'],
      BankCard2EVerification: ['-4', '持卡人信息有误'],
      BankCard4EVerification: ['-6', '持卡人信息有误'],
      PhoneVerification: ['-9', '没有记录'],
    };
    for (const action of ACTIONS) {
      expect(await call(c, action, REQUESTS[action](stranger!)), action).toMatchObject({ Result: expected[action][0], Description: expected[action][1] });
    }
    expect(await quotaLeft(app)).toBe(7);
  });

  it('bills match and mismatch on every action', async () => {
    const app = await quotaApp(20);
    const c = client(app);
    for (const action of ACTIONS) await call(c, action, REQUESTS[action](fresh()));
    const [p, q] = [fresh(), fresh()];
    await call(c, 'IdCardVerification', { IdCard: p.idNumber, Name: q.name });
    expect(await quotaLeft(app)).toBe(14);
  });

  it('answers each invalid field with the action\'s own Result (the first invalid in its field order), never billed', async () => {
    const app = await quotaApp(5);
    const c = client(app);
    const p = fresh();
    const id = wrongCheckDigit(p.idNumber);
    const cases: [ActionName, Partial<Person>, string][] = [
      ['IdCardVerification', { idNumber: id }, '-2'],
      ['IdCardVerification', { name: BAD.name }, '-3'],
      ['IdCardVerification', { idNumber: id, name: BAD.name }, '-2'],
      // -2 and -3 swap on the bank-card actions: -2 the name, -3 the ID number.
      ['BankCardVerification', { name: BAD.name }, '-2'],
      ['BankCardVerification', { idNumber: id }, '-3'],
      ['BankCardVerification', { bankCard: BAD.bankCard }, '-4'],
      ['BankCardVerification', { idNumber: id, name: BAD.name }, '-3'],
      ['BankCard2EVerification', { name: BAD.name }, '-2'],
      ['BankCard2EVerification', { bankCard: BAD.bankCard }, '-3'],
      ['BankCard4EVerification', { name: BAD.name }, '-2'],
      ['BankCard4EVerification', { idNumber: id }, '-3'],
      ['BankCard4EVerification', { bankCard: BAD.bankCard }, '-4'],
      ['BankCard4EVerification', { phone: BAD.phone }, '-5'],
      // 4E's order is Name, BankCard, Phone, IdCard: the phone answers before the ID number.
      ['BankCard4EVerification', { phone: BAD.phone, idNumber: id }, '-5'],
      ['PhoneVerification', { phone: BAD.phone }, '-6'],
      ['PhoneVerification', { idNumber: id }, '-7'],
      ['PhoneVerification', { name: BAD.name }, '-8'],
      ['PhoneVerification', { name: BAD.name, phone: BAD.phone }, '-8'],
    ];
    for (const [action, over, result] of cases) {
      expect((await call(c, action, REQUESTS[action]({ ...p, ...over }))).Result, `${action} ${JSON.stringify(Object.keys(over))}`).toBe(result);
    }
    expect((await call(c, 'PhoneVerification', REQUESTS.PhoneVerification({ ...p, phone: BAD.phone }))).Isp).toBe('');
    expect(await quotaLeft(app)).toBe(5);
  });

  it('answers CertType other than 0 with BankCard -19 / 4E -20, not billed; CertType 0 is the ID card', async () => {
    const app = await quotaApp(5);
    const c = client(app);
    const p = fresh();
    expect(await call(c, 'BankCardVerification', { ...REQUESTS.BankCardVerification(p), CertType: 1 })).toMatchObject({
      Result: '-19',
      Description: '该证件号暂不支持核验，当前仅支持二代身份证',
    });
    expect((await call(c, 'BankCard4EVerification', { ...REQUESTS.BankCard4EVerification(p), CertType: 2 })).Result).toBe('-20');
    expect(await quotaLeft(app)).toBe(5);
    expect((await call(c, 'BankCardVerification', { ...REQUESTS.BankCardVerification(p), CertType: 0 })).Result).toBe('0');
    expect(await quotaLeft(app)).toBe(4);
  });

  it('answers each action\'s 超过当日限制 Result once an identity reaches the app\'s daily limit, not billed', async () => {
    const app = await rn.createApp({ name: 'daily', quota: 100, dailyPerId: 1, dailyPerName: 1 });
    const c = client(app);
    const expected: Record<ActionName, [string, string]> = {
      IdCardVerification: ['-7', '认证次数超过当日限制'],
      BankCardVerification: ['-18', '验证次数超限，请次日重试'],
      BankCard2EVerification: ['-17', '验证次数超限，请次日重试'],
      BankCard4EVerification: ['-19', '验证次数超限，请次日重试'],
      PhoneVerification: ['-12', '认证次数超过当日限制，请次日重试'],
    };
    for (const action of ACTIONS) {
      const p = fresh();
      expect((await call(c, action, REQUESTS[action](p))).Result).toBe('0');
      const before = await quotaLeft(app);
      expect(await call(c, action, REQUESTS[action](p)), action).toMatchObject({ Result: expected[action][0], Description: expected[action][1] });
      expect(await quotaLeft(app)).toBe(before);
    }
    // The count is per identity: the per-name limit holds across ID numbers, and another person passes.
    const [a, b] = [fresh(), fresh()];
    expect((await call(c, 'IdCardVerification', REQUESTS.IdCardVerification(a))).Result).toBe('0');
    expect((await call(c, 'IdCardVerification', { IdCard: b.idNumber, Name: a.name })).Result).toBe('-7');
    expect((await call(c, 'IdCardVerification', REQUESTS.IdCardVerification(b))).Result).toBe('0');
    // Another app counts its own.
    expect((await call(client(), 'IdCardVerification', REQUESTS.IdCardVerification(a))).Result).toBe('0');
  });

  it('reads Isp from the phone\'s segment: 移动, 联通, 电信, or "" for a virtual operator', async () => {
    const c = client();
    const phones: [string, string][] = [['13800138000', '移动'], ['13012345678', '联通'], ['13312345678', '电信'], ['17001234567', '']];
    for (const [phone, isp] of phones) {
      expect(validatePhone(phone).ok).toBe(true);
      expect(await call(c, 'PhoneVerification', REQUESTS.PhoneVerification({ ...stranger!, phone }))).toMatchObject({ Result: '-9', Isp: isp });
    }
  });

  describe('auth errors', () => {
    it('AuthFailure.SignatureFailure for the wrong SecretKey, AuthFailure.SecretIdNotFound for an unknown SecretId', async () => {
      const p = fresh();
      const wrongKey = await failure(call(client({ secretId: rn.app.secretId, secretKey: randomBytes(16).toString('hex') }), 'IdCardVerification', REQUESTS.IdCardVerification(p)));
      expect(wrongKey).toMatchObject({ code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated. Please check your signature is correct.' });
      expect(wrongKey.requestId).toMatch(UUID);
      const unknown = await failure(call(client({ secretId: 'AKID' + 'x'.repeat(32), secretKey: rn.app.secretKey }), 'IdCardVerification', REQUESTS.IdCardVerification(p)));
      expect(unknown.code).toBe('AuthFailure.SecretIdNotFound');
    });

    it('a rotated secret: both keys work until the old one is revoked, then only the new one', async () => {
      const app = await rn.createApp({ name: 'rotating' });
      const added = await rn.services.tenants.addSecret(app.appid);
      const p = fresh();
      const req = REQUESTS.IdCardVerification(p);
      expect((await call(client(app), 'IdCardVerification', req)).Result).toBe('0');
      expect((await call(client(added), 'IdCardVerification', req)).Result).toBe('0');
      await rn.services.tenants.revokeSecret(app.appid, app.secretId);
      expect((await failure(call(client(app), 'IdCardVerification', req))).code).toBe('AuthFailure.SecretIdNotFound');
      expect((await call(client(added), 'IdCardVerification', req)).Result).toBe('0');
    });
  });

  describe('the app\'s rules and counters', () => {
    it('RequestLimitExceeded past the app\'s QPS: one of three requests in the same instant is admitted', async () => {
      const app = await rn.createApp({ name: 'qps', qps: 1 });
      const p = fresh();
      // The server's clock stands still (inside the signature window): all three arrive in one instant.
      rn.setNow(Date.now());
      try {
        const settled = await Promise.allSettled([0, 1, 2].map(() => call(client(app), 'IdCardVerification', REQUESTS.IdCardVerification(p))));
        const codes = settled.map((s) => (s.status === 'fulfilled' ? s.value.Result : (s.reason as { code: string }).code)).sort();
        expect(codes).toEqual(['0', 'RequestLimitExceeded', 'RequestLimitExceeded']);
      } finally {
        rn.setNow();
      }
    });

    it('LimitExceeded (您购买的资源已用完) once the quota is used up', async () => {
      const app = await quotaApp(1);
      const p = fresh();
      expect((await call(client(app), 'IdCardVerification', REQUESTS.IdCardVerification(p))).Result).toBe('0');
      expect(await failure(call(client(app), 'IdCardVerification', REQUESTS.IdCardVerification(p)))).toMatchObject({ code: 'LimitExceeded', message: '您购买的资源已用完' });
    });

    it('UnauthorizedOperation.Arrears when suspended, .Nonactivated for a kind not permitted, IpNotInWhitelist outside the allow-list', async () => {
      const p = fresh();
      const suspended = await rn.createApp({ name: 'arrears' });
      await rn.services.tenants.update(suspended.appid, { suspended: true });
      expect((await failure(call(client(suspended), 'IdCardVerification', REQUESTS.IdCardVerification(p)))).code).toBe('UnauthorizedOperation.Arrears');
      const cards = await rn.createApp({ name: 'cards only', checks: ['bankcard3'] });
      expect((await failure(call(client(cards), 'IdCardVerification', REQUESTS.IdCardVerification(p)))).code).toBe('UnauthorizedOperation.Nonactivated');
      expect((await call(client(cards), 'BankCardVerification', REQUESTS.BankCardVerification(p))).Result).toBe('0');
      const office = await rn.createApp({ name: 'office', ipAllow: ['10.0.0.0/8'] });
      expect((await failure(call(client(office), 'IdCardVerification', REQUESTS.IdCardVerification(p)))).code).toBe('IpNotInWhitelist');
    });
  });

  describe('what the SDK lets a caller send wrong', () => {
    const p = () => rn.people[0]!;
    const cases: [string, ActionName | string, () => Record<string, unknown>, string, string][] = [
      ['a required field left out', 'IdCardVerification', () => ({ IdCard: p().idNumber }), 'MissingParameter', 'Name'],
      ['a field of the wrong type', 'IdCardVerification', () => ({ IdCard: p().idNumber, Name: 12345 }), 'InvalidParameter', 'Name'],
      ['CertType as a string', 'BankCardVerification', () => ({ ...REQUESTS.BankCardVerification(p()), CertType: '0' }), 'InvalidParameter', 'CertType'],
      ['a field the action does not define', 'IdCardVerification', () => ({ ...REQUESTS.IdCardVerification(p()), Phone: p().phone }), 'UnknownParameter', 'Phone'],
      ['IdCard on BankCard2EVerification', 'BankCard2EVerification', () => ({ ...REQUESTS.BankCard2EVerification(p()), IdCard: p().idNumber }), 'UnknownParameter', 'IdCard'],
      ['a VerifyMode the vendor does not have', 'PhoneVerification', () => ({ ...REQUESTS.PhoneVerification(p()), VerifyMode: '2' }), 'InvalidParameterValue', 'VerifyMode'],
      [
        'an Encryption object',
        'IdCardVerification',
        () => ({ ...REQUESTS.IdCardVerification(p()), Encryption: { EncryptList: ['Name'], CiphertextBlob: 'AQID', Iv: '0123456789abcdef' } }),
        'UnsupportedOperation',
        'Encryption',
      ],
      ['PhoneVerification\'s CiphertextBlob', 'PhoneVerification', () => ({ ...REQUESTS.PhoneVerification(p()), CiphertextBlob: 'AQID' }), 'UnsupportedOperation', 'CiphertextBlob'],
      ['an action FaceID does not have', 'DetectAuth', () => ({ RuleId: '1' }), 'InvalidAction', 'X-TC-Action'],
    ];

    it.each(cases)('%s: %s answers %s naming the field, never a value', async (_what, action, req, code, field) => {
      const c = client() as unknown as { request(action: string, req: unknown): Promise<unknown> };
      const fail = await failure(c.request(action, req()));
      expect(fail.code).toBe(code);
      expect(fail.message).toContain(field);
      for (const value of Object.values(p())) expect(fail.message).not.toContain(value);
      expect(fail.requestId).toMatch(UUID);
    });
  });

  it('answers 0 for the same app and registry identity through all three dialects', async () => {
    const p = fresh();
    expect((await rn.check('idcard2', p)).code).toBe(0);
    const signed = { name: p.name, idNo: p.idNumber, timestamp: String(Math.floor(Date.now() / 1000)) };
    const submail = await rn.post('/factor/idcard', { appid: rn.app.appid, ...signed, signature: signSubmail(rn.app.appkey, signed) });
    expect(submail.json).toMatchObject({ status: 'success', result: { bank_status: '01' } });
    expect((await call(client(), 'IdCardVerification', REQUESTS.IdCardVerification(p))).Result).toBe('0');
    const dialects = (await rn.store.audit.query({ appid: rn.app.appid, limit: 3 })).map((r) => r.dialect);
    expect(dialects).toEqual(['tencentcloud', 'submail', 'tencent-image']);
  });
});

describe('the official FaceID client when no source can answer', () => {
  let store: Store;
  let server: ReturnType<typeof buildServer>;
  let app: Credentials;
  let host = '';
  beforeAll(async () => {
    const memory = openStore({ kind: 'memory' });
    const broken = async (): Promise<never> => {
      throw new Error('registry unreadable');
    };
    store = { ...memory, registry: { ...memory.registry, match: broken, matchCard: broken } };
    const services = assembleServices({ store, masterKey: randomBytes(32) });
    app = await services.tenants.create({ name: 'down', quota: 5 });
    server = buildServer({ services, store });
    host = new URL(await server.listen({ host: '127.0.0.1', port: 0 })).host;
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('answers each action\'s 服务繁忙/服务异常 Result, not billed', async () => {
    const c = faceidClient({ endpoint: host, secretId: app.secretId, secretKey: app.secretKey });
    const expected: Record<ActionName, [string, string]> = {
      IdCardVerification: ['-4', '证件库服务异常'],
      BankCardVerification: ['-17', '验证中心服务繁忙'],
      BankCard2EVerification: ['-16', '验证中心服务繁忙'],
      BankCard4EVerification: ['-18', '验证中心服务繁忙'],
      PhoneVerification: ['-11', '验证中心服务繁忙'],
    };
    for (const action of ACTIONS) {
      expect(await call(c, action, REQUESTS[action](stranger!)), action).toMatchObject({ Result: expected[action][0], Description: expected[action][1] });
    }
    expect((await store.apps.get(app.appid))?.quota).toBe(5);
  });
});
