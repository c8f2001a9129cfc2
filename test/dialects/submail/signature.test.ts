import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCharacter } from '../../../src/core/id-number.ts';
import { signatureMatches, signingStrings, signSubmail } from '../../../src/protocols/submail/signature.ts';
import { codeOf, submailPost, type BodyEncoding, type SubmailApp } from '../../helpers/submail.ts';
import { BASE_TIME, startHarness, type Harness } from './harness.ts';

/**
 * The vendor's demos, re-implemented from their documented behaviour (byte-wise, independent of the
 * encoders the server uses), each signing and sending as the demo does.
 */
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Percent-encodes UTF-8 bytes, keeping `keep` characters and writing space as `+`. */
function formEncode(value: string, keep: RegExp): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && keep.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
/** PHP urlencode(): keeps A–Z a–z 0–9 - _ . */
const phpUrlencode = (v: string) => formEncode(v, /[A-Za-z0-9_.-]/);
/** java.net.URLEncoder.encode(v, "UTF-8"): keeps A–Z a–z 0–9 . - * _ */
const javaUrlEncode = (v: string) => formEncode(v, /[A-Za-z0-9.*_-]/);

type Demo = (appkey: string, appid: string, fields: Record<string, string>) => Record<string, string>;

/** PHP demo: ksort + http_build_query over appkey and the signed fields; the body carries raw values. */
const phpDemo: Demo = (appkey, appid, fields) => {
  const all: Record<string, string> = { appkey, ...fields };
  const query = Object.keys(all)
    .sort()
    .map((k) => `${phpUrlencode(k)}=${phpUrlencode(all[k] as string)}`)
    .join('&');
  return { appid, ...fields, signature: sha256(query) };
};

/** Node demo: the raw signing string through encodeURI, then sha256; the body carries raw values. */
const nodeDemo: Demo = (appkey, appid, fields) => {
  const all: Record<string, string> = { appkey, ...fields };
  const raw = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { appid, ...fields, signature: sha256(encodeURI(raw)) };
};

/** Java demo: a TreeMap with the name URLEncoder-encoded, joined raw; the body carries the encoded name. */
const javaDemo: Demo = (appkey, appid, fields) => {
  const data: Record<string, string> = { appkey, ...fields, name: javaUrlEncode(fields.name as string) };
  const raw = Object.keys(data)
    .sort()
    .map((k) => `${k}=${data[k]}`)
    .join('&');
  const { appkey: _key, ...sent } = data;
  return { ...sent, signature: sha256(raw), appid };
};

/** The spec's literal example: no encoding at all. */
const plainDemo: Demo = (appkey, appid, fields) => {
  const all: Record<string, string> = { appkey, ...fields };
  const raw = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { appid, ...fields, signature: sha256(raw) };
};

const DEMOS: Record<string, Demo> = { php: phpDemo, node: nodeDemo, java: javaDemo, plain: plainDemo };
const withCheck = (body17: string) => body17 + checkCharacter(body17);
const HAN = { name: '阿卜杜·热合曼', idNo: withCheck('65010219850615001') };
// A foreigner's permanent residence ID allows a Latin name, spaces included: the encodings differ on it.
const LATIN = { name: 'JOHN SMITH', idNo: withCheck('93101019850615001') };

describe('the vendor demos over loopback', () => {
  let h: Harness;
  let app: SubmailApp;
  let second = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    app = await h.addApp();
  });
  const timestamp = () => String(Math.floor(BASE_TIME / 1000) + (second++ % 200));

  for (const [label, demo] of Object.entries(DEMOS)) {
    for (const [who, person] of Object.entries({ han: HAN, latin: LATIN })) {
      for (const encoding of ['json', 'form', 'multipart'] as BodyEncoding[]) {
        it(`accepts the ${label} demo's signature for a ${who} name in a ${encoding} body`, async () => {
          const body = demo(app.appkey, app.appid, { ...person, timestamp: timestamp() });
          const reply = await submailPost(h.url, '/factor/idcard', body, { encoding });
          expect(codeOf(reply)).toBe('success');
        });
      }
    }
  }

  it("decodes the Java demo's percent-encoded name before checking it", async () => {
    const seen: string[] = [];
    h.answer((r) => {
      seen.push(r.factors.name ?? '');
      return { refusal: 'quota_exhausted' };
    });
    const body = javaDemo(app.appkey, app.appid, { ...HAN, timestamp: timestamp() });
    expect(body.name).toBe('%E9%98%BF%E5%8D%9C%E6%9D%9C%C2%B7%E7%83%AD%E5%90%88%E6%9B%BC');
    await submailPost(h.url, '/factor/idcard', body);
    expect(seen).toEqual([HAN.name]);
  });

  it('still refuses a demo signature made with another appkey, or over other values', async () => {
    const other = await h.addApp();
    for (const demo of Object.values(DEMOS)) {
      const foreign = demo(other.appkey, app.appid, { ...HAN, timestamp: timestamp() });
      expect(codeOf(await submailPost(h.url, '/factor/idcard', foreign))).toBe('1204');
      const tampered = { ...demo(app.appkey, app.appid, { ...HAN, timestamp: timestamp() }), idNo: withCheck('65010219850615003') };
      expect(codeOf(await submailPost(h.url, '/factor/idcard', tampered))).toBe('1204');
    }
  });
});

describe('signing strings', () => {
  it('sorts keys A–Z with appkey and never signs appid or signature', () => {
    const [canonical] = signingStrings('KEY', { timestamp: '1', name: 'a', idNo: '2', cardNumber: '3' });
    expect(canonical).toBe('appkey=KEY&cardNumber=3&idNo=2&name=a&timestamp=1');
  });

  it('offers each demo encoding once', () => {
    const strings = signingStrings('k', { name: 'A B·', idNo: '1', timestamp: '2' });
    expect(strings).toEqual(
      expect.arrayContaining([
        'appkey=k&idNo=1&name=A%20B%C2%B7&timestamp=2',
        'appkey=k&idNo=1&name=A+B%C2%B7&timestamp=2',
        'appkey=k&idNo=1&name=A B·&timestamp=2',
      ]),
    );
    expect(new Set(strings).size).toBe(strings.length);
  });

  it('adds the name exactly as it arrived when it arrived encoded (lower-case hex included)', () => {
    const strings = signingStrings('k', { name: '%e5%bc%a0', idNo: '1', timestamp: '2' }, '%e5%bc%a0');
    expect(strings).toContain('appkey=k&idNo=1&name=%e5%bc%a0&timestamp=2');
  });

  it('skips an encoding that cannot encode the value instead of failing', () => {
    expect(() => signingStrings('k', { name: '\ud800', idNo: '1', timestamp: '2' })).not.toThrow();
  });

  it('matches lower- or upper-case hex, and nothing that is not 64 hex digits', () => {
    const signature = signSubmail('k', { name: '张三', idNo: '1', timestamp: '2' });
    const candidates = signingStrings('k', { name: '张三', idNo: '1', timestamp: '2' });
    expect(signatureMatches(signature, candidates)).toBe(true);
    expect(signatureMatches(signature.toUpperCase(), candidates)).toBe(true);
    expect(signatureMatches(signature.slice(1), candidates)).toBe(false);
    expect(signatureMatches(`${signature.slice(0, 63)}g`, candidates)).toBe(false);
    expect(signatureMatches(signSubmail('other', { name: '张三', idNo: '1', timestamp: '2' }), candidates)).toBe(false);
  });
});
