import { describe, expect, it } from 'vitest';
import { checkIdAsUuid } from '../../src/core/check-id.ts';
import { signTc3, tc3Signer } from '../../src/protocols/tencentcloud/index.ts';
import { openEndpoint } from '../../src/sources/upstream/http.ts';
import { ADAPTERS } from '../../src/sources/upstream/index.ts';
import { sdkSign, startCaptureServer } from '../helpers/tencentcloud.ts';

const credentials = { secretId: 'AKIDexampleexampleexampleexample12', secretKey: 'a-secret-key-of-the-gateway' };
const factors = { idNumber: '11010519491231002X', name: '张三', bankCard: '6222020200000000000', phone: '13800138000' };
const CHECK_ID = '0123456789abcdef0123456789abcdef';

/** One check by an adapter against a loopback server that keeps the request as it arrived. */
async function capture(type: 'tencentcloud' | 'realname', kind: 'idcard2' | 'phone3', answer?: Record<string, unknown>) {
  const server = await startCaptureServer(answer);
  const endpoint = openEndpoint(`http://${server.endpoint}`, 2);
  try {
    const ask = ADAPTERS[type]!.create({ name: 'x', endpoint, credentials, clock: Date.now });
    const result = await ask(kind, factors, { checkId: CHECK_ID, signal: new AbortController().signal });
    return { result, request: server.requests[0]!, endpoint: server.endpoint };
  } finally {
    await endpoint.close();
    await server.close();
  }
}

describe('the FaceID adapters on the wire', () => {
  it("sign byte for byte as the vendor's own SDK signs the same request (content-type;host, the host without its port, service faceid)", async () => {
    const { request, endpoint, result } = await capture('tencentcloud', 'idcard2');
    expect(result).toEqual({ verdict: 'match', vendor: { code: 'IdCardVerification/0', billed: true } });
    expect(request.headers).toMatchObject({ host: endpoint, 'content-type': 'application/json', 'x-tc-action': 'IdCardVerification', 'x-tc-version': '2018-03-01' });
    const timestamp = Number(request.headers['x-tc-timestamp']);
    const sdk = sdkSign.sign3({
      method: 'POST',
      url: `http://${endpoint}/`,
      payload: JSON.parse(request.body.toString('utf8')) as unknown,
      timestamp,
      service: 'faceid',
      ...credentials,
      multipart: false,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(request.headers.authorization).toBe(sdk);
    expect(request.headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKID\w+\/\d{4}-\d{2}-\d{2}\/faceid\/tc3_request, SignedHeaders=content-type;host, Signature=/);
    expect(request.body.toString('utf8')).toBe(JSON.stringify({ IdCard: factors.idNumber, Name: factors.name }));
    // The check's id travels as the trace id (never a factor in a header).
    expect(request.headers['x-tc-traceid']).toBe(checkIdAsUuid(CHECK_ID));
  });

  it('asks a Realname for the detailed phone mode (which factor differs), Tencent Cloud for the default one', async () => {
    const tc = await capture('tencentcloud', 'phone3');
    expect(JSON.parse(tc.request.body.toString('utf8'))).toEqual({ IdCard: factors.idNumber, Name: factors.name, Phone: factors.phone });
    const rn = await capture('realname', 'phone3', { Result: '-4', Description: '三要素信息不一致', Isp: '移动', ResultDetail: 'PhoneNameIdCardMismatch' });
    expect(JSON.parse(rn.request.body.toString('utf8'))).toMatchObject({ VerifyMode: '1' });
    expect(rn.result).toEqual({ verdict: 'mismatch', mismatched: ['phone'], vendor: { code: 'PhoneVerification/-4', billed: true } });
  });

  it('ask with the credential fields secretId and secretKey, for all five kinds', () => {
    for (const type of ['tencentcloud', 'realname']) {
      expect(ADAPTERS[type]!.credentials).toEqual({ required: ['secretId', 'secretKey'] });
      expect([...ADAPTERS[type]!.kinds].sort()).toEqual(['bankcard2', 'bankcard3', 'bankcard4', 'idcard2', 'phone3']);
    }
  });
});

describe('the TC3 signer of a client', () => {
  it("signs as the vendor's SDK does on either side of a UTC midnight (its kSigning made again for the new date)", () => {
    const sign = tc3Signer({ ...credentials, service: 'faceid' });
    const request = { method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/json', host: 'faceid.tencentcloudapi.com' }, body: '{"IdCard":"x"}' };
    const sdk = (timestamp: number) =>
      sdkSign.sign3({ method: 'POST', url: 'https://faceid.tencentcloudapi.com/', payload: { IdCard: 'x' }, timestamp, service: 'faceid', ...credentials, multipart: false, headers: { 'Content-Type': 'application/json' } });
    const midnight = Date.UTC(2026, 0, 2) / 1000;
    for (const timestamp of [midnight - 1, midnight, midnight + 1, midnight - 1]) {
      expect(sign(request, timestamp)).toBe(sdk(timestamp));
      expect(signTc3({ request, ...credentials, service: 'faceid', timestamp })).toBe(sign(request, timestamp));
    }
    expect(sign(request, midnight - 1)).toContain('/2026-01-01/faceid/');
    expect(sign(request, midnight)).toContain('/2026-01-02/faceid/');
  });
});
