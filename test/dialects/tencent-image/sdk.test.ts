import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, startHarness, type Harness } from './harness.ts';

/**
 * The vendor's own Node SDK (npm image-node-sdk), unmodified, pointed at us with setHost/setProtocol.
 * It signs `a,k,e,t,r,u,f` (no bucket) with t = ceil(now) and e = t + 100, sends `Host:
 * service.image.myqcloud.com` whatever the URL, and puts appid in the JSON body itself.
 *
 * Here the verifier is scripted (match when the factors are the registered ones); the lead's end-to-end
 * suite repeats this against the assembled server with a real registry identity.
 */
interface SdkResponse {
  statusCode: number;
  body: string;
}
interface ImageClient {
  setHost(host: string): ImageClient;
  setProtocol(protocol: string): ImageClient;
  authIdCard(params: { data: Record<string, string> }): Promise<SdkResponse>;
}
const { ImageClient } = createRequire(import.meta.url)('image-node-sdk') as {
  ImageClient: new (o: { AppId: string; SecretId: string; SecretKey: string }) => ImageClient;
};

const REGISTERED = { idcard_number: '110101199003070011', idcard_name: '张三' };

describe('the official image-node-sdk against our server', () => {
  let h: Harness;
  beforeAll(async () => {
    // The SDK signs with the wall clock, so the server must use it too.
    h = await startHarness({ realClock: true });
    h.answer(({ kind, checkId, factors }) => {
      const on = factors.idNumber === REGISTERED.idcard_number && factors.name === REGISTERED.idcard_name;
      return { outcome: outcome(kind, checkId, on ? {} : { verdict: 'mismatch', mismatched: ['name'] }) };
    });
  });
  afterAll(() => h.close());

  const client = (creds: { appid: string; secretId: string; secretKey: string }) =>
    new ImageClient({ AppId: creds.appid, SecretId: creds.secretId, SecretKey: creds.secretKey })
      .setHost(new URL(h.url).host)
      .setProtocol('http:');

  it('gets code 0 on /auth/idcard for the registered identity', async () => {
    const creds = h.addApp();
    const res = await client(creds).authIdCard({ data: REGISTERED });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { code: number; message: string; data: { session_id: string } };
    expect(body).toMatchObject({ code: 0, message: 'OK' });
    expect(body.data.session_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gets -5803 for a name that is not the ID number owner', async () => {
    const creds = h.addApp();
    const res = await client(creds).authIdCard({ data: { ...REGISTERED, idcard_name: '李四' } });
    expect(JSON.parse(res.body)).toMatchObject({ code: -5803, message: '身份证号码与姓名不匹配' });
  });

  it('gets 14 when the SDK holds the wrong key', async () => {
    const creds = h.addApp();
    const res = await client({ ...creds, secretKey: 'not-the-key' }).authIdCard({ data: REGISTERED });
    expect(JSON.parse(res.body)).toMatchObject({ code: 14 });
  });
});
