import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { startRealname, type Realname } from '../helpers/realname.ts';

/** The assembled service over loopback HTTP with a real SQLite registry: what a migrating client sees. */
describe('Tencent image dialect, end to end', () => {
  let rn: Realname;
  beforeAll(async () => {
    rn = await startRealname({ identities: 30 });
  });
  afterAll(async () => {
    await rn?.close();
  });

  const person = (i: number) => {
    const p = rn.people[i];
    if (!p) throw new Error(`no synthetic person ${i}`);
    return p;
  };

  it('answers code 0 for a registry identity on both routes', async () => {
    expect(await rn.check('idcard2', person(0))).toMatchObject({ code: 0, message: 'OK' });
    expect(await rn.check('bankcard3', person(1))).toMatchObject({ code: 0, message: 'OK' });
  });

  it('answers -5803 when the name does not match the ID number', async () => {
    const { code } = await rn.check('idcard2', { ...person(2), name: person(3).name === person(2).name ? '张三丰' : person(3).name });
    expect(code).toBe(-5803);
  });

  it('answers -5807 for a valid ID number that is not on file', async () => {
    const [stranger] = [...generateIdentities(1, 999_999)];
    expect((await rn.check('idcard2', stranger!)).code).toBe(-5807);
  });

  it("answers -5809 for someone else's bank card", async () => {
    expect((await rn.check('bankcard3', { ...person(4), bankCard: person(5).bankCard })).code).toBe(-5809);
  });

  it('rejects bad input offline with -5804, -5806 and -5808', async () => {
    const p = person(6);
    const lastDigit = p.idNumber.at(-1) === '0' ? '1' : '0';
    expect((await rn.check('idcard2', { ...p, idNumber: p.idNumber.slice(0, 17) + lastDigit })).code).toBe(-5804);
    expect((await rn.check('idcard2', { ...p, idNumber: p.idNumber.slice(0, 10) })).code).toBe(-5806);
    expect((await rn.check('idcard2', { ...p, name: 'John3' })).code).toBe(-5806);
    expect((await rn.check('bankcard3', { ...p, bankCard: '4111111111111112' })).code).toBe(-5808);
  });

  it('refuses a body that names a field twice (21) rather than guessing which one counts', async () => {
    const p = person(0);
    const body = `{"appid":"${rn.app.appid}","idcard_number":"${p.idNumber}","idcard_name":"${p.name}","idcard_name":"${person(1).name}"}`;
    const { json } = await rn.post('/auth/idcard', body, { authorization: rn.authorization() });
    expect(json.code).toBe(21);
  });

  it('gives every answer a fresh 32-hex session id', async () => {
    const a = await rn.check('idcard2', person(0));
    const b = await rn.check('idcard2', person(0));
    expect(a.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  it('writes one masked audit record per check and no plaintext factor anywhere on disk', async () => {
    const p = person(7);
    const { sessionId } = await rn.check('bankcard3', p);
    await rn.store.audit.flush();
    const records = await rn.store.audit.query({ appid: rn.app.appid, limit: 1000 });
    const record = records.find((r) => r.checkId === sessionId);
    expect(record).toMatchObject({ dialect: 'tencent-image', kind: 'bankcard3', verdict: 'match', code: '0', billed: true });
    expect(record?.masked.idNumber).toBe(`${p.idNumber.slice(0, 4)}${'*'.repeat(10)}${p.idNumber.slice(-4)}`);
    expect(record?.masked.name?.startsWith([...p.name][0]!)).toBe(true);
    const bytes = ['realname.db', 'realname.db-wal'].map((f) => {
      try {
        return readFileSync(join(rn.dir, f));
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const plain of [p.idNumber, p.name, p.bankCard, p.phone]) {
      for (const file of bytes) expect(file.includes(Buffer.from(plain, 'utf8'))).toBe(false);
    }
  });
});

describe('quota and QPS are exact over real HTTP with parallel clients', () => {
  let rn: Realname;
  beforeAll(async () => {
    rn = await startRealname({ identities: 5 });
  });
  afterAll(async () => {
    await rn?.close();
  });

  it('answers exactly 100 of 150 concurrent checks with quota 100, and 25 to the rest', async () => {
    const app = await rn.createApp({ quota: 100 });
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => rn.check('idcard2', rn.people[i % 5]!, app)));
    const codes = results.map((r) => r.code);
    expect(codes.filter((c) => c === 0)).toHaveLength(100);
    expect(codes.filter((c) => c === 25)).toHaveLength(50);
    expect((await rn.store.apps.get(app.appid))?.quota).toBe(0);
  });

  it('never bills invalid input', async () => {
    const app = await rn.createApp({ quota: 1 });
    expect((await rn.check('idcard2', { ...rn.people[0]!, idNumber: '123' }, app)).code).toBe(-5806);
    expect((await rn.check('idcard2', rn.people[0]!, app)).code).toBe(0);
    expect((await rn.check('idcard2', rn.people[0]!, app)).code).toBe(25);
  });

  it('admits at most N requests in any 1-second window, and only signed ones count', async () => {
    const app = await rn.createApp({ qps: 5 });
    rn.setNow(Date.UTC(2026, 0, 1, 0, 0, 0));
    // unsigned or badly signed requests never consume the tenant's QPS
    for (let i = 0; i < 10; i++) {
      const { json } = await rn.post('/auth/idcard', { appid: app.appid, idcard_number: rn.people[0]!.idNumber, idcard_name: rn.people[0]!.name }, { authorization: 'garbage' });
      expect(json.code).toBe(5);
    }
    const burst = await Promise.all(Array.from({ length: 20 }, () => rn.check('idcard2', rn.people[0]!, app)));
    expect(burst.filter((r) => r.code === 0)).toHaveLength(5);
    expect(burst.filter((r) => r.code === 15)).toHaveLength(15);
    rn.setNow(rn.now() + 999);
    expect((await rn.check('idcard2', rn.people[0]!, app)).code).toBe(15);
    rn.setNow(rn.now() + 2);
    const next = await Promise.all(Array.from({ length: 8 }, () => rn.check('idcard2', rn.people[0]!, app)));
    expect(next.filter((r) => r.code === 0)).toHaveLength(5);
    rn.setNow();
  });
});

describe('tenant switches take effect at once', () => {
  let rn: Realname;
  beforeAll(async () => {
    rn = await startRealname({ identities: 3 });
  });
  afterAll(async () => {
    await rn?.close();
  });

  it('suspends (3) and resumes (0) an app', async () => {
    const app = await rn.createApp();
    await rn.services.tenants.update(app.appid, { suspended: true });
    expect(await rn.check('idcard2', rn.people[0]!, app)).toMatchObject({ code: 3, message: 'account abnormal,errorno is:2' });
    await rn.services.tenants.update(app.appid, { suspended: false });
    expect((await rn.check('idcard2', rn.people[0]!, app)).code).toBe(0);
  });

  it('refuses a check kind the app may not use, and a client outside its allow-list (24)', async () => {
    const idOnly = await rn.createApp({ checks: ['idcard2'] });
    expect((await rn.check('idcard2', rn.people[0]!, idOnly)).code).toBe(0);
    expect((await rn.check('bankcard3', rn.people[0]!, idOnly)).code).toBe(24);
    const fenced = await rn.createApp({ ipAllow: ['10.0.0.0/8'] });
    expect((await rn.check('idcard2', rn.people[0]!, fenced)).code).toBe(24);
    const loopback = await rn.createApp({ ipAllow: ['127.0.0.0/8', '::1'] });
    expect((await rn.check('idcard2', rn.people[0]!, loopback)).code).toBe(0);
  });

  it('refuses a revoked secret (11) while a rotated one works', async () => {
    const app = await rn.createApp();
    const added = await rn.services.tenants.addSecret(app.appid);
    await rn.services.tenants.revokeSecret(app.appid, app.secretId);
    expect((await rn.check('idcard2', rn.people[0]!, app)).code).toBe(11);
    expect((await rn.check('idcard2', rn.people[0]!, { ...app, ...added })).code).toBe(0);
  });
});
