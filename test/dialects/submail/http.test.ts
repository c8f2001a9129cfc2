import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCharacter } from '../../../src/core/id-number.ts';
import { CODE_TABLE } from '../../../src/protocols/submail/codes.ts';
import {
  cardFields,
  codeOf,
  ENCODINGS,
  idcardFields,
  signedRequest,
  submailPost,
  type SubmailApp,
} from '../../helpers/submail.ts';
import { BASE_TIME, matchAll, outcome, startHarness, validating, type Harness } from './harness.ts';

// Synthetic identities only: structurally valid numbers that belong to nobody.
const withCheck = (body17: string) => body17 + checkCharacter(body17);
const PERSON = { name: '张三', idNumber: withCheck('31010119960111001'), bankCard: '6222020200000000000' };
const CARD_PERSON = { ...PERSON, bankCard: '6225880000000001' };
const nowS = () => Math.floor(BASE_TIME / 1000);

let h: Harness;
let app: SubmailApp;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  h.clock.now = BASE_TIME;
  h.answer(matchAll);
  // A fresh app per test: replay memory and QPS windows never leak between tests.
  app = await h.addApp();
});

const idcard = (who: SubmailApp = app, person = PERSON, ts: string | number = nowS()) => signedRequest(who, idcardFields(person), ts);
const card = (who: SubmailApp = app, person = CARD_PERSON, ts: string | number = nowS()) => signedRequest(who, cardFields(person), ts);
const post = (path: string, fields: Record<string, unknown> | string, options?: Parameters<typeof submailPost>[3]) =>
  submailPost(h.url, path, fields, options);
const code = async (path: string, fields: Record<string, unknown> | string, options?: Parameters<typeof submailPost>[3]) =>
  codeOf(await post(path, fields, options));

describe('each route × body encoding × format', () => {
  const routes = [
    { path: '/factor/idcard', fields: () => idcard(), resultKeys: ['bank_msg', 'bank_idCard', 'bank_name', 'bank_sex', 'bank_area', 'bank_birthday', 'bank_status'] },
    { path: '/factor/card_three_auth', fields: () => card(), resultKeys: ['identical', 'bankName', 'cardCategory', 'remark'] },
  ];
  for (const route of routes) {
    for (const suffix of ['', '.json', '.xml']) {
      for (const encoding of ENCODINGS) {
        it(`${route.path}${suffix} with a ${encoding} body answers success`, async () => {
          const reply = await post(route.path + suffix, route.fields(), { encoding });
          expect(reply.status).toBe(200);
          expect(reply.contentType).toBe(suffix === '.xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8');
          expect(reply.body.status).toBe('success');
          expect(Object.keys(reply.body.result as object)).toEqual(route.resultKeys);
          expect(reply.body.send_id).toMatch(/^[0-9a-f]{32}$/);
          if (suffix === '.xml') expect(reply.raw.startsWith('<?xml version="1.0" encoding="UTF-8"?><root><status>success</status><result>')).toBe(true);
        });
      }
    }
  }

  it('answers the spec example body for /factor/idcard, send_id being the audited check id', async () => {
    const reply = await post('/factor/idcard', idcard());
    expect(JSON.parse(reply.raw)).toEqual({
      status: 'success',
      result: {
        bank_msg: '核查一致',
        bank_idCard: `3101xxxxxxxxxx${PERSON.idNumber.slice(-4)}`,
        bank_name: '张xx',
        bank_sex: '男',
        bank_area: '上海市黄浦区',
        bank_birthday: '1996年01月11日',
        bank_status: '01',
      },
      send_id: reply.body.send_id,
    });
    const entry = h.audit.find((e) => e.checkId === reply.body.send_id);
    expect(entry).toMatchObject({ appid: app.appid, dialect: 'submail', kind: 'idcard2', code: 'success', startedAt: BASE_TIME });
  });

  it('answers the same content as XML, errors too', async () => {
    const reply = await post('/factor/idcard.xml', idcard());
    expect(reply.raw).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><root><status>success</status><result><bank_msg>核查一致</bank_msg>' +
        `<bank_idCard>3101xxxxxxxxxx${PERSON.idNumber.slice(-4)}</bank_idCard><bank_name>张xx</bank_name><bank_sex>男</bank_sex>` +
        '<bank_area>上海市黄浦区</bank_area><bank_birthday>1996年01月11日</bank_birthday><bank_status>01</bank_status></result>' +
        `<send_id>${String(reply.body.send_id)}</send_id></root>`,
    );
    const error = await post('/factor/card_three_auth.xml', { ...card(), signature: '0'.repeat(64) });
    expect(error.contentType).toBe('application/xml; charset=utf-8');
    expect(error.raw).toBe('<?xml version="1.0" encoding="UTF-8"?><root><status>error</status><code>1204</code><msg>Invalid signature</msg></root>');
  });

  it('answers bank_status 02 and 03 for a mismatch and an unknown ID number', async () => {
    h.answer(validating('mismatch'));
    expect((await post('/factor/idcard', idcard())).body.result).toMatchObject({ bank_status: '02', bank_msg: '核查不一致' });
    h.answer(validating('not_found'));
    expect((await post('/factor/idcard', idcard(app, PERSON, nowS() + 1))).body.result).toMatchObject({
      bank_status: '03',
      bank_msg: '库中无此身份证记录',
    });
  });

  it('answers card_three_auth with identical, the BIN bank and card category', async () => {
    const match = await post('/factor/card_three_auth', card());
    expect(match.body.result).toEqual({ identical: 'true', bankName: '招商银行', cardCategory: '借记卡', remark: '认证信息匹配' });
    h.answer(validating('mismatch'));
    const mismatch = await post('/factor/card_three_auth', card(app, CARD_PERSON, nowS() + 1));
    expect(mismatch.body.result).toMatchObject({ identical: 'false', remark: '认证信息不匹配' });
  });

  it('hands the verifier the kind and the factors of the route, whatever the encoding', async () => {
    const seen: unknown[] = [];
    h.answer((r) => {
      seen.push({ kind: r.kind, factors: r.factors });
      return matchAll(r);
    });
    await post('/factor/idcard', idcard(), { encoding: 'form' });
    await post('/factor/card_three_auth', card(), { encoding: 'multipart' });
    expect(seen).toEqual([
      { kind: 'idcard2', factors: { idNumber: PERSON.idNumber, name: PERSON.name } },
      { kind: 'bankcard3', factors: { idNumber: CARD_PERSON.idNumber, name: CARD_PERSON.name, bankCard: CARD_PERSON.bankCard } },
    ]);
  });

  it('accepts appid and timestamp as JSON numbers', async () => {
    const fields = idcard();
    expect(await code('/factor/idcard', { ...fields, appid: Number(app.appid), timestamp: Number(fields.timestamp) })).toBe('success');
  });
});

describe('GET /service/timestamp', () => {
  it('answers the server time in seconds, as JSON or XML', async () => {
    const json = await fetch(`${h.url}/service/timestamp`);
    expect(await json.json()).toEqual({ timestamp: nowS() });
    const dotJson = await fetch(`${h.url}/service/timestamp.json`);
    expect(await dotJson.json()).toEqual({ timestamp: nowS() });
    const xml = await fetch(`${h.url}/service/timestamp.xml`);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await xml.text()).toBe(`<?xml version="1.0" encoding="UTF-8"?><root><timestamp>${nowS()}</timestamp></root>`);
  });
});

describe('every code of the table over loopback', () => {
  const seen = new Set<string>();
  const expectCode = async (expected: string, path: string, fields: Record<string, unknown> | string, options?: Parameters<typeof submailPost>[3]) => {
    const reply = await post(path, fields, options);
    expect([reply.status, reply.body.status, reply.body.code]).toEqual([200, 'error', expected]);
    expect(reply.body.msg).toBe(CODE_TABLE.find((r) => r.code === expected)?.message);
    expect(typeof reply.body.code).toBe('string');
    seen.add(expected);
  };
  afterAll(() => {
    // Every row of the table was answered by some test above.
    expect([...seen].sort()).toEqual(CODE_TABLE.map((r) => r.code).sort());
  });

  it('1201: an unknown appid', async () => {
    await expectCode('1201', '/factor/idcard', idcard({ appid: '1234567', appkey: app.appkey }));
  });

  it('1202: a client address outside the allow-list', async () => {
    const fenced = await h.addApp({ ipAllow: ['10.0.0.0/8'] });
    await expectCode('1202', '/factor/idcard', idcard(fenced));
    const open = await h.addApp({ ipAllow: ['127.0.0.0/8'] });
    expect(await code('/factor/idcard', idcard(open))).toBe('success');
  });

  it('1203: quota used up', async () => {
    h.answer(() => ({ refusal: 'quota_exhausted' }));
    await expectCode('1203', '/factor/idcard', idcard());
  });

  it('1204: a wrong, foreign or malformed signature', async () => {
    const other = await h.addApp();
    await expectCode('1204', '/factor/idcard', { ...idcard(), signature: idcard(other).signature });
    await expectCode('1204', '/factor/idcard', { ...idcard(), signature: 'not-hex' });
    // Signed over other values than those sent.
    await expectCode('1204', '/factor/idcard', { ...idcard(), name: '李四' });
  });

  it('1206: a suspended app', async () => {
    await h.updateApp(app.appid, { suspended: true });
    await expectCode('1206', '/factor/idcard', idcard());
  });

  it('1208: a timestamp that is neither 10 nor 13 digits', async () => {
    for (const ts of ['abc', '171724320', '17172432000', '1717243200.5', ' 1717243200', '-1717243200']) {
      await expectCode('1208', '/factor/idcard', idcard(app, PERSON, ts));
    }
  });

  it('1209: a missing, empty or ill-typed field', async () => {
    for (const field of ['name', 'idNo', 'timestamp']) {
      const fields: Record<string, unknown> = idcard();
      delete fields[field];
      await expectCode('1209', '/factor/idcard', fields);
      await expectCode('1209', '/factor/idcard', { ...idcard(), [field]: '' });
      await expectCode('1209', '/factor/idcard', { ...idcard(), [field]: ['x'] });
    }
    const { cardNumber: _dropped, ...noCard } = card();
    await expectCode('1209', '/factor/card_three_auth', noCard);
    await expectCode('1209', '/factor/idcard', { ...idcard(), appid: { id: app.appid } });
    await expectCode('1209', '/factor/idcard', { ...idcard(), idNo: 310101 });
  });

  it('1209: a broken, non-object or unsupported body', async () => {
    await expectCode('1209', '/factor/idcard', '{"appid":');
    await expectCode('1209', '/factor/idcard', '[1,2]');
    await expectCode('1209', '/factor/idcard', 'appid=1', { headers: { 'content-type': 'text/plain' } });
    // Not UTF-8.
    const latin1 = await fetch(`${h.url}/factor/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(`appid=${app.appid}&name=\xd5\xc5`, 'latin1'),
    });
    expect(await latin1.json()).toMatchObject({ code: '1209' });
    await expectCode('1209', '/factor/idcard', 'no boundary', { headers: { 'content-type': 'multipart/form-data' } });
  });

  it('1209: a field sent twice, in each encoding', async () => {
    const fields = idcard();
    const json = JSON.stringify(fields).replace(/}$/, `,"name":"李四"}`);
    await expectCode('1209', '/factor/idcard', json);
    const form = `${new URLSearchParams(fields).toString()}&name=${encodeURIComponent('李四')}`;
    await expectCode('1209', '/factor/idcard', form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const multipart = new FormData();
    for (const [k, v] of Object.entries(fields)) multipart.append(k, v);
    multipart.append('idNo', fields.idNo as string);
    const reply = await fetch(`${h.url}/factor/idcard`, { method: 'POST', body: multipart });
    expect(await reply.json()).toEqual({ status: 'error', code: '1209', msg: 'Lack of necessary parameters' });
  });

  it('1210: no appid, or an empty one', async () => {
    const { appid: _dropped, ...fields } = idcard();
    await expectCode('1210', '/factor/idcard', fields);
    await expectCode('1210', '/factor/idcard', { ...idcard(), appid: '' }, { encoding: 'form' });
  });

  it('1212: no signature, or an empty one', async () => {
    const { signature: _dropped, ...fields } = idcard();
    await expectCode('1212', '/factor/idcard', fields);
    await expectCode('1212', '/factor/idcard', { ...idcard(), signature: '' }, { encoding: 'multipart' });
  });

  it('1213: a timestamp outside ±5 minutes', async () => {
    await expectCode('1213', '/factor/idcard', idcard(app, PERSON, nowS() - 301));
    await expectCode('1213', '/factor/idcard', idcard(app, PERSON, BASE_TIME + 300_001));
  });

  it('1215 / 1222 / 1242: invalid ID number, name, bank card', async () => {
    await expectCode('1215', '/factor/idcard', idcard(app, { ...PERSON, idNumber: '31010119960111' }));
    await expectCode('1215', '/factor/idcard', idcard(app, { ...PERSON, idNumber: PERSON.idNumber.slice(0, 17) + (PERSON.idNumber.endsWith('0') ? '1' : '0') }));
    await expectCode('1222', '/factor/idcard', idcard(app, { ...PERSON, name: 'John3' }));
    await expectCode('1242', '/factor/card_three_auth', card(app, { ...CARD_PERSON, bankCard: '4111111111111112' }));
  });

  it('1216: over the QPS', async () => {
    const limited = await h.addApp({ qps: 1 });
    expect(await code('/factor/idcard', idcard(limited))).toBe('success');
    await expectCode('1216', '/factor/idcard', idcard(limited, PERSON, BASE_TIME + 1));
    h.clock.now += 1000;
    expect(await code('/factor/idcard', idcard(limited, PERSON, nowS() + 1))).toBe('success');
  });

  it('1218: a check the app is not permitted', async () => {
    const cardOnly = await h.addApp({ checks: ['bankcard3'] });
    await expectCode('1218', '/factor/idcard', idcard(cardOnly));
    expect(await code('/factor/card_three_auth', card(cardOnly))).toBe('success');
  });

  it('1220: a signature used twice inside the window', async () => {
    const fields = idcard();
    expect(await code('/factor/idcard', fields)).toBe('success');
    await expectCode('1220', '/factor/idcard', fields);
  });

  it('1223: no source could answer', async () => {
    h.answer(({ kind, checkId }) => ({ outcome: outcome(kind, checkId, { verdict: 'unavailable', unavailable: 'unreachable', billed: false }) }));
    await expectCode('1223', '/factor/idcard', idcard());
    h.answer(({ kind, checkId }) => ({ outcome: outcome(kind, checkId, { verdict: 'unavailable', unavailable: 'error', billed: false }) }));
    await expectCode('1223', '/factor/idcard', idcard(app, PERSON, nowS() + 1));
  });

  it('1224: a body over the limit, in each encoding and format', async () => {
    const big = { ...idcard(), padding: 'x'.repeat(17 * 1024) };
    for (const encoding of ENCODINGS) await expectCode('1224', '/factor/idcard', big, { encoding });
    const xml = await post('/factor/card_three_auth.xml', big);
    expect(xml.raw).toBe('<?xml version="1.0" encoding="UTF-8"?><root><status>error</status><code>1224</code><msg>Request body too large</msg></root>');
  });

  it('1299: an unexpected fault, logged with the send id and no personal data', async () => {
    h.answer(() => {
      throw new Error(`boom ${PERSON.idNumber} ${PERSON.name}`);
    });
    await expectCode('1299', '/factor/idcard', idcard());
    const entry = h.audit.at(-1);
    expect(entry?.code).toBe('1299');
    const line = h.logs.find((l) => l.includes('submail: internal error'));
    expect(line).toContain(entry?.checkId);
    for (const log of h.logs) {
      expect(log).not.toContain(PERSON.idNumber);
      expect(log).not.toContain(PERSON.name);
    }
  });
});

describe('timestamps and replays', () => {
  it('accepts 10-digit seconds and 13-digit milliseconds up to 5 minutes either side', async () => {
    for (const ts of [nowS(), nowS() - 300, nowS() + 300, BASE_TIME, BASE_TIME - 300_000, BASE_TIME + 300_000]) {
      expect(await code('/factor/idcard', idcard(app, PERSON, ts))).toBe('success');
    }
  });

  it('takes the window from the plugin options', async () => {
    const narrow = await startHarness({ plugin: { timestampWindowMs: 10_000 } });
    try {
      const a = await narrow.addApp();
      expect(codeOf(await submailPost(narrow.url, '/factor/idcard', idcard(a, PERSON, nowS() - 10)))).toBe('success');
      expect(codeOf(await submailPost(narrow.url, '/factor/idcard', idcard(a, PERSON, nowS() - 11)))).toBe('1213');
    } finally {
      await narrow.close();
    }
  });

  it('refuses a replay until the timestamp leaves the window, then calls it expired', async () => {
    const fields = idcard();
    expect(await code('/factor/idcard', fields)).toBe('success');
    h.clock.now += 299_000;
    expect(await code('/factor/idcard', fields)).toBe('1220');
    h.clock.now += 2_000;
    expect(await code('/factor/idcard', fields)).toBe('1213');
  });

  it('remembers the signature whatever its hex case or the encoding it arrives in', async () => {
    const fields = idcard();
    expect(await code('/factor/idcard', fields, { encoding: 'form' })).toBe('success');
    expect(await code('/factor/idcard', { ...fields, signature: fields.signature!.toUpperCase() }, { encoding: 'multipart' })).toBe('1220');
  });

  it('lets an app without the replay guard reuse a signature inside the window', async () => {
    const relaxed = await h.addApp({ replayGuard: false });
    const fields = idcard(relaxed);
    expect(await code('/factor/idcard', fields)).toBe('success');
    expect(await code('/factor/idcard', fields)).toBe('success');
  });

  it('keeps replays per app: the same timestamp and person signed by two apps are two signatures', async () => {
    const other = await h.addApp();
    expect(await code('/factor/idcard', idcard())).toBe('success');
    expect(await code('/factor/idcard', idcard(other))).toBe('success');
  });
});

describe('X-Forwarded-For', () => {
  it('is ignored from an untrusted peer', async () => {
    const fenced = await h.addApp({ ipAllow: ['203.0.113.0/24'] });
    const reply = await post('/factor/idcard', idcard(fenced), { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(codeOf(reply)).toBe('1202');
  });

  it('is believed from a trusted proxy (the right-most untrusted hop)', async () => {
    const proxied = await startHarness({ trustProxy: ['127.0.0.1/32'] });
    try {
      const fenced = await proxied.addApp({ ipAllow: ['203.0.113.0/24'] });
      let second = 0;
      const send = (xff: string) =>
        submailPost(proxied.url, '/factor/idcard', idcard(fenced, PERSON, nowS() + second++), {
          headers: { 'x-forwarded-for': xff },
        });
      expect(codeOf(await send('203.0.113.7'))).toBe('success');
      expect(codeOf(await send('203.0.113.7, 127.0.0.1'))).toBe('success');
      // A client cannot forge its way in by prepending an allowed address.
      expect(codeOf(await send('203.0.113.7, 198.51.100.1'))).toBe('1202');
    } finally {
      await proxied.close();
    }
  });
});

describe('masking and derivation on synthetic identities', () => {
  const cases = [
    {
      label: 'an 18-digit ID',
      person: { name: '欧阳娜娜', idNumber: withCheck('11010119900307002') },
      result: { bank_idCard: `1101${'x'.repeat(10)}${withCheck('11010119900307002').slice(-4)}`, bank_name: '欧xx', bank_sex: '女', bank_birthday: '1990年03月07日', bank_area: '北京市东城区' },
    },
    {
      label: 'a 15-digit ID (legacy form: 19xx, sex from the last digit)',
      person: { name: '李四', idNumber: '310101960111003' },
      result: { bank_idCard: `3101${'x'.repeat(7)}1003`, bank_name: '李xx', bank_sex: '男', bank_birthday: '1996年01月11日', bank_area: '上海市黄浦区' },
    },
    {
      label: 'a Taiwan residence permit',
      person: { name: '陈美玲', idNumber: withCheck('83000019920101002') },
      result: { bank_idCard: `8300${'x'.repeat(10)}${withCheck('83000019920101002').slice(-4)}`, bank_name: '陈xx', bank_sex: '女', bank_birthday: '1992年01月01日', bank_area: '台湾省' },
    },
    {
      label: 'a name with a middle dot',
      person: { name: '阿卜杜·热合曼', idNumber: withCheck('65010219850615001') },
      result: { bank_name: '阿xx', bank_sex: '男', bank_birthday: '1985年06月15日' },
    },
  ];
  for (const c of cases) {
    it(`masks and derives for ${c.label}`, async () => {
      const reply = await post('/factor/idcard', signedRequest(app, idcardFields(c.person), nowS()));
      expect(reply.body.status).toBe('success');
      expect(reply.body.result).toMatchObject(c.result);
      expect(reply.raw).not.toContain(c.person.idNumber);
      expect(reply.raw).not.toContain(c.person.name);
    });
  }

  it('names the region as the validation module does', async () => {
    const reply = await post('/factor/idcard', signedRequest(app, idcardFields({ name: '王五', idNumber: withCheck('65010219850615001') }), nowS()));
    expect((reply.body.result as Record<string, string>).bank_area).toMatch(/^新疆维吾尔自治区乌鲁木齐市/);
  });
});
