import Cloudauth, * as models from '@alicloud/cloudauth20190307';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { authorize, canonicalRequest, percentEncode, sha256Hex, verifyRequest } from '../../../src/protocols/aliyun/signature.ts';
import { startAliyunVendor, type AliyunVendor } from '../../helpers/aliyun-vendor.ts';

/**
 * The vendor's own worked example ("V3版本请求体&签名机制", 签名示例): POST / with ImageId and RegionId in the
 * query, no body, the fixed date and nonce, AccessKeySecret "YourAccessKeySecret".
 */
const EXAMPLE = {
  method: 'POST',
  path: '/',
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': '2023-10-26T10:22:32Z',
    'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
    'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  hashedPayload: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

describe('ACS3-HMAC-SHA256', () => {
  it("reproduces the vendor's worked example byte for byte", () => {
    const { request, signedHeaders } = canonicalRequest(EXAMPLE);
    expect(request).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\nx-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(signedHeaders).toBe('host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version');
    expect(sha256Hex(request)).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(authorize(EXAMPLE, 'YourAccessKeyId', 'YourAccessKeySecret')).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('percent-encodes as RFC 3986 says: unreserved kept, a space %20, * %2A, UTF-8 bytes', () => {
    expect(percentEncode("AZaz09-_.~ *!'()/=&张")).toBe('AZaz09-_.~%20%2A%21%27%28%29%2F%3D%26%E5%BC%A0');
  });

  const verifyExample = (over: { headers?: Record<string, string>; body?: string; authorization?: string; nowMs?: number } = {}) =>
    verifyRequest(
      {
        method: 'POST',
        path: '/',
        query: EXAMPLE.query,
        headers: { ...EXAMPLE.headers, ...over.headers },
        body: Buffer.from(over.body ?? ''),
        authorization: over.authorization ?? authorize(EXAMPLE, 'YourAccessKeyId', 'YourAccessKeySecret'),
        nowMs: over.nowMs ?? Date.parse('2023-10-26T10:30:00Z'),
      },
      (id) => (id === 'YourAccessKeyId' ? 'YourAccessKeySecret' : undefined),
    );

  it('verifies the example, and refuses every change to it with the vendor code that says why', () => {
    expect(verifyExample()).toEqual({ ok: true, accessKeyId: 'YourAccessKeyId' });
    expect(verifyExample({ headers: { 'x-acs-action': 'DeleteInstances' } })).toEqual({ ok: false, refusal: 'SignatureDoesNotMatch' });
    expect(verifyExample({ body: 'x=1' })).toEqual({ ok: false, refusal: 'ContentSHA256NotMatch' });
    expect(verifyExample({ headers: { 'x-acs-extra': 'unsigned' } })).toEqual({ ok: false, refusal: 'IncompleteSignature' });
    expect(verifyExample({ authorization: 'ACS3-HMAC-SHA256 Credential=Other,SignedHeaders=host,Signature=' + '0'.repeat(64) })).toEqual({ ok: false, refusal: 'IncompleteSignature' });
    expect(verifyExample({ authorization: authorize(EXAMPLE, 'Nobody', 'x') })).toEqual({ ok: false, refusal: 'InvalidAccessKeyId.NotFound' });
    expect(verifyExample({ authorization: 'Bearer x' })).toEqual({ ok: false, refusal: 'IncompleteSignature' });
    expect(verifyExample({ nowMs: Date.parse('2023-10-26T10:38:00Z') })).toEqual({ ok: false, refusal: 'InvalidTimeStamp.Expired' });
  });
});

describe("the loopback cloudauth vendor, asked by the vendor's own client (@alicloud/cloudauth20190307)", () => {
  const people = [...generateIdentities(3, 41)];
  let vendor: AliyunVendor;
  beforeAll(async () => {
    vendor = await startAliyunVendor(people);
  });
  afterAll(async () => {
    await vendor?.close();
  });

  // The package is CommonJS: under ESM its class is the default export, or that export's own default.
  const Client = ((Cloudauth as unknown as { default?: typeof Cloudauth }).default ?? Cloudauth) as typeof Cloudauth;
  const client = (secret = vendor.accessKeySecret) =>
    new Client({
      accessKeyId: vendor.accessKeyId,
      accessKeySecret: secret,
      endpoint: vendor.url.replace('http://', ''),
      protocol: 'http',
    } as never);

  it('accepts what the official client signs (form body and query parameters) and answers as the vendor publishes', async () => {
    const [p, q] = people;
    const id2 = await client().id2MetaVerify(new models.Id2MetaVerifyRequest({ paramType: 'normal', identifyNum: p!.idNumber, userName: p!.name }));
    expect(id2.body).toMatchObject({ code: '200', message: 'success', resultObject: { bizCode: '1' } });
    const wrong = await client().id2MetaVerify(new models.Id2MetaVerifyRequest({ paramType: 'normal', identifyNum: p!.idNumber, userName: q!.name }));
    expect(wrong.body?.resultObject?.bizCode).toBe('2');
    const bank = await client().bankMetaVerify(
      new models.BankMetaVerifyRequest({ paramType: 'normal', verifyMode: 'VERIFY_BANK_CARD', productType: 'BANK_CARD_3_META', bankCard: p!.bankCard, identifyNum: p!.idNumber, userName: p!.name }),
    );
    expect(bank.body?.resultObject).toMatchObject({ bizCode: '1', subCode: '101' });
    const mobile = await client().mobile3MetaSimpleVerify(new models.Mobile3MetaSimpleVerifyRequest({ paramType: 'normal', identifyNum: p!.idNumber, mobile: p!.phone, userName: p!.name }));
    expect(mobile.body?.resultObject).toMatchObject({ bizCode: '1', ispName: 'CMCC' });
    expect(vendor.calls).toEqual(['Id2MetaVerify', 'Id2MetaVerify', 'BankMetaVerify', 'Mobile3MetaSimpleVerify']);
  });

  it('refuses the official client signing with the wrong secret (SignatureDoesNotMatch)', async () => {
    const before = vendor.calls.length;
    await expect(client('not-the-secret').id2MetaVerify(new models.Id2MetaVerifyRequest({ paramType: 'normal', identifyNum: people[0]!.idNumber, userName: people[0]!.name }))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(vendor.refusals.at(-1)).toBe('SignatureDoesNotMatch');
    expect(vendor.calls.length).toBe(before);
  });
});
