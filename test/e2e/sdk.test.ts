import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealname, type Realname } from '../helpers/realname.ts';

/**
 * The vendor's own Node SDK (npm image-node-sdk), unmodified, pointed at Realname with setHost/setProtocol —
 * the whole migration a customer makes. It signs `a,k,e,t,r,u,f` (no bucket) with the wall clock and
 * sends `Host: service.image.myqcloud.com`; the answers come from a real SQLite registry.
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

describe('the official image-node-sdk against Realname', () => {
  let rn: Realname;
  beforeAll(async () => {
    rn = await startRealname({ identities: 5 });
  });
  afterAll(() => rn?.close());

  const client = (secretKey = rn.app.secretKey) =>
    new ImageClient({ AppId: rn.app.appid, SecretId: rn.app.secretId, SecretKey: secretKey }).setHost(new URL(rn.url).host).setProtocol('http:');

  it('gets code 0 on /auth/idcard for a registry identity', async () => {
    const person = rn.people[0]!;
    const res = await client().authIdCard({ data: { idcard_number: person.idNumber, idcard_name: person.name } });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { code: number; message: string; data: { session_id: string } };
    expect(body).toMatchObject({ code: 0, message: 'OK' });
    expect(body.data.session_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gets -5803 for another person's name", async () => {
    const [a, b] = rn.people;
    const res = await client().authIdCard({ data: { idcard_number: a!.idNumber, idcard_name: b!.name } });
    expect(JSON.parse(res.body)).toMatchObject({ code: -5803, message: '身份证号码与姓名不匹配' });
  });

  it('gets 14 when the SDK holds the wrong key', async () => {
    const person = rn.people[0]!;
    const res = await client('not-the-key').authIdCard({ data: { idcard_number: person.idNumber, idcard_name: person.name } });
    expect(JSON.parse(res.body)).toMatchObject({ code: 14 });
  });
});
