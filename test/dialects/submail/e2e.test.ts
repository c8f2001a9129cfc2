import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials, NewApp } from '../../../src/access/tenants.ts';
import { checkCharacter, to15 } from '../../../src/core/id-number.ts';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { signSubmail } from '../../../src/protocols/submail/signature.ts';
import { startRealname, type Person, type Realname } from '../../helpers/realname.ts';
import { cardFields, codeOf, ENCODINGS, idcardFields, signedRequest, submailPost, type SubmailApp } from '../../helpers/submail.ts';

/** The assembled service over loopback HTTP with a real SQLite registry: what a migrating SUBMAIL client sees. */
let rn: Realname;
let second = 0;
beforeAll(async () => {
  rn = await startRealname({ identities: 30 });
});
afterAll(async () => {
  await rn?.close();
});

const person = (i: number): Person => {
  const p = rn.people[i];
  if (!p) throw new Error(`no synthetic person ${i}`);
  return p;
};
/** A fresh timestamp per request (seconds, inside the window), so the replay guard never trips by accident. */
const timestamp = () => String(Math.floor(rn.now() / 1000) - 60 + (second++ % 120));
const idcard = (p: Pick<Person, 'name' | 'idNumber'>, app: SubmailApp = rn.app) => signedRequest(app, idcardFields(p), timestamp());
const card = (p: Person, app: SubmailApp = rn.app) => signedRequest(app, cardFields(p), timestamp());
const post = (path: string, fields: Record<string, unknown> | string, options?: Parameters<typeof submailPost>[3]) =>
  submailPost(rn.url, path, fields, options);
const result = async (path: string, fields: Record<string, unknown>) => {
  const reply = await post(path, fields);
  expect(reply.body.status).toBe('success');
  return reply.body.result as Record<string, string>;
};
const stranger = (seed: number) => [...generateIdentities(1, seed)][0]!;

describe('SUBMAIL dialect, end to end', () => {
  it('answers 01 核查一致 for a registry identity in every body encoding and format', async () => {
    for (const suffix of ['', '.json', '.xml']) {
      for (const encoding of ENCODINGS) {
        const reply = await post(`/factor/idcard${suffix}`, idcard(person(0)), { encoding });
        expect(reply.body).toMatchObject({ status: 'success', result: { bank_status: '01', bank_msg: '核查一致' } });
        const three = await post(`/factor/card_three_auth${suffix}`, card(person(1)), { encoding });
        expect(three.body).toMatchObject({ status: 'success', result: { identical: 'true' } });
      }
    }
  });

  it('answers 02 for a name that is not the ID number owner, 03 for an ID number not on file', async () => {
    const p = person(2);
    expect(await result('/factor/idcard', idcard({ ...p, name: person(3).name }))).toMatchObject({ bank_status: '02', bank_msg: '核查不一致' });
    expect(await result('/factor/idcard', idcard(stranger(999_999)))).toMatchObject({ bank_status: '03', bank_msg: '库中无此身份证记录' });
  });

  it("answers identical false for someone else's bank card, with that card's bank", async () => {
    const p = person(4);
    const r = await result('/factor/card_three_auth', card({ ...p, bankCard: person(5).bankCard }));
    expect(r).toMatchObject({ identical: 'false', remark: '认证信息不匹配' });
    expect(r.bankName).not.toBe('');
    expect(['借记卡', '贷记卡', '准贷记卡', '预付费卡']).toContain(r.cardCategory);
  });

  it('rejects bad input offline with 1215, 1222 and 1242, before quota', async () => {
    const p = person(6);
    const lastDigit = p.idNumber.at(-1) === '0' ? '1' : '0';
    expect(codeOf(await post('/factor/idcard', idcard({ ...p, idNumber: p.idNumber.slice(0, 17) + lastDigit })))).toBe('1215');
    expect(codeOf(await post('/factor/idcard', idcard({ ...p, name: 'John3' })))).toBe('1222');
    expect(codeOf(await post('/factor/card_three_auth', card({ ...p, bankCard: '4111111111111112' })))).toBe('1242');
  });

  it('bills quota for verdicts only, then answers 1203', async () => {
    const app = await rn.createApp({ quota: 1 });
    expect(codeOf(await post('/factor/idcard', idcard({ ...person(7), name: 'John3' }, app)))).toBe('1222');
    expect(codeOf(await post('/factor/idcard', idcard(person(7), app)))).toBe('success');
    expect(codeOf(await post('/factor/idcard', idcard(person(7), app)))).toBe('1203');
  });

  it('derives and masks for a 15-digit ID, a Taiwan residence permit and a name with a middle dot', async () => {
    const born19xx = rn.people.find((p) => p.idNumber.slice(6, 8) === '19' && !p.name.includes('·'))!;
    const legacy = to15(born19xx.idNumber);
    const r15 = await result('/factor/idcard', idcard({ name: born19xx.name, idNumber: legacy }));
    // The 15-digit form is the same person as the 18-digit number on file.
    expect(r15).toMatchObject({
      bank_status: '01',
      bank_idCard: `${legacy.slice(0, 4)}xxxxxxx${legacy.slice(-4)}`,
      bank_name: `${[...born19xx.name][0]}xx`,
      bank_birthday: `${born19xx.idNumber.slice(6, 10)}年${born19xx.idNumber.slice(10, 12)}月${born19xx.idNumber.slice(12, 14)}日`,
      bank_sex: Number(born19xx.idNumber[16]) % 2 === 1 ? '男' : '女',
    });

    const taiwan = `83000019920101002${checkCharacter('83000019920101002')}`;
    expect(await result('/factor/idcard', idcard({ name: '陈美玲', idNumber: taiwan }))).toEqual({
      bank_msg: '库中无此身份证记录',
      bank_idCard: `8300xxxxxxxxxx${taiwan.slice(-4)}`,
      bank_name: '陈xx',
      bank_sex: '女',
      bank_area: '台湾省',
      bank_birthday: '1992年01月01日',
      bank_status: '03',
    });

    const dotted = rn.people.find((p) => p.name.includes('·'))!;
    const rDot = await result('/factor/idcard', idcard(dotted));
    expect(rDot).toMatchObject({ bank_status: '01', bank_name: `${[...dotted.name][0]}xx` });
    expect(rDot.bank_area).toMatch(/^.+$/);
  });

  it('accepts the Java demo: a percent-encoded name, signed encoded', async () => {
    const dotted = rn.people.find((p) => p.name.includes('·'))!;
    const ts = timestamp();
    const encodedName = encodeURIComponent(dotted.name);
    const signature = signSubmail(rn.app.appkey, { name: dotted.name, idNo: dotted.idNumber, timestamp: ts });
    const body = { appid: rn.app.appid, name: encodedName, idNo: dotted.idNumber, timestamp: ts, signature };
    expect((await result('/factor/idcard', body)).bank_status).toBe('01');
  });

  it('audits each answer under its send_id, masked, with no plaintext factor anywhere on disk', async () => {
    const p = person(8);
    const reply = await post('/factor/card_three_auth', card(p));
    await rn.store.audit.flush();
    const records = await rn.store.audit.query({ appid: rn.app.appid, limit: 1000 });
    const record = records.find((r) => r.checkId === reply.body.send_id);
    expect(record).toMatchObject({ dialect: 'submail', kind: 'bankcard3', verdict: 'match', code: 'success', billed: true });
    expect(record?.masked.idNumber).toBe(`${p.idNumber.slice(0, 4)}${'*'.repeat(10)}${p.idNumber.slice(-4)}`);
    const bytes = ['realname.db', 'realname.db-wal'].map((f) => {
      try {
        return readFileSync(join(rn.dir, f));
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const plain of [p.idNumber, p.name, p.bankCard]) {
      for (const file of bytes) expect(file.includes(Buffer.from(plain, 'utf8'))).toBe(false);
    }
  });

  it('serves the server time for clients that sign with it', async () => {
    const response = await fetch(`${rn.url}/service/timestamp`);
    expect(await response.json()).toEqual({ timestamp: Math.floor(rn.now() / 1000) });
  });
});

/**
 * The order of checks, pinned for every pair of faults: with two faults in one request, the one
 * earlier in 1224 → 1209 (body) → 1210 → 1212 → 1209 (fields) → 1208 → 1201 → 1202 → 1213 → 1204 →
 * 1220 → 1206 → 1218 → 1216 → 1215 → 1222 → 1203 answers.
 */
describe('order of checks for pairs of faults (SQLite, real validation and quota)', () => {
  interface Values {
    appid: string;
    name: string;
    idNo: string;
    timestamp: string;
  }
  interface Fault {
    code: string;
    label: string;
    app?: Partial<NewApp>;
    suspend?: true;
    values?: (v: Values) => void;
    wire?: (body: Record<string, unknown>) => void;
    broken?: true;
    wrongKey?: true;
    replay?: true;
    warmup?: true;
  }
  const FAULTS: Fault[] = [
    { code: '1224', label: 'body too large', wire: (b) => void (b.padding = 'x'.repeat(20 * 1024)) },
    { code: '1209', label: 'broken body', broken: true },
    { code: '1210', label: 'no appid', wire: (b) => void delete b.appid },
    { code: '1212', label: 'no signature', wire: (b) => void delete b.signature },
    { code: '1209', label: 'no idNo', wire: (b) => void delete b.idNo },
    { code: '1208', label: 'bad timestamp', values: (v) => void (v.timestamp = 'yesterday') },
    { code: '1201', label: 'unknown appid', values: (v) => void (v.appid = '1259999999') },
    { code: '1202', label: 'IP outside the allow-list', app: { ipAllow: ['10.0.0.0/8'] } },
    { code: '1213', label: 'old timestamp', values: (v) => void (v.timestamp = String(Math.floor(rn.now() / 1000) - 600)) },
    { code: '1204', label: 'wrong appkey', wrongKey: true },
    { code: '1220', label: 'replayed', replay: true },
    { code: '1206', label: 'suspended', suspend: true },
    { code: '1218', label: 'not permitted', app: { checks: ['bankcard3'] } },
    { code: '1216', label: 'over QPS', app: { qps: 1 }, warmup: true },
    { code: '1215', label: 'invalid ID number', values: (v) => void (v.idNo = '123456') },
    { code: '1222', label: 'invalid name', values: (v) => void (v.name = 'John3') },
    { code: '1203', label: 'quota spent', app: { quota: 0 } },
  ];

  async function run(faults: Fault[]): Promise<string> {
    const spec: Partial<NewApp> = Object.assign({}, ...faults.map((f) => f.app ?? {}));
    const app: Credentials = await rn.createApp(spec);
    if (faults.some((f) => f.suspend)) await rn.services.tenants.update(app.appid, { suspended: true });
    const p = person(9);
    const values: Values = { appid: app.appid, name: p.name, idNo: p.idNumber, timestamp: timestamp() };
    // Later faults first, so an earlier fault wins where two touch the same value.
    for (const f of [...faults].reverse()) f.values?.(values);
    const signed = { name: values.name, idNo: values.idNo, timestamp: values.timestamp };
    const key = faults.some((f) => f.wrongKey) ? 'f'.repeat(32) : app.appkey;
    const body: Record<string, unknown> = { appid: values.appid, ...signed, signature: signSubmail(key, signed) };
    for (const f of faults) f.wire?.(body);
    const payload = faults.some((f) => f.broken) ? JSON.stringify(body).slice(0, -1) : body;

    if (faults.some((f) => f.warmup)) await post('/factor/idcard', idcard(p, app));
    if (faults.some((f) => f.replay)) await post('/factor/idcard', payload);
    return codeOf(await post('/factor/idcard', payload));
  }

  it('answers success with no fault, and each fault alone with its code', async () => {
    expect(await run([])).toBe('success');
    for (const fault of FAULTS) expect([fault.label, await run([fault])]).toEqual([fault.label, fault.code]);
  });

  it('answers the earlier fault for every pair', async () => {
    const wrong: string[] = [];
    for (let i = 0; i < FAULTS.length; i++) {
      for (let j = i + 1; j < FAULTS.length; j++) {
        const [a, b] = [FAULTS[i]!, FAULTS[j]!];
        const got = await run([a, b]);
        if (got !== a.code) wrong.push(`${a.label} + ${b.label}: ${got}, expected ${a.code}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
