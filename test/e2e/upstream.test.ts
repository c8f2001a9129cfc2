import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { startAliyunVendor, type AliyunVendor } from '../helpers/aliyun-vendor.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startGateway, type Gateway } from '../helpers/gateway.ts';
import { faceidClient } from '../helpers/tencentcloud.ts';
import { startVendorRealname, type VendorRealname } from '../helpers/vendor-realname.ts';

/**
 * Realname as the gateway in front of upstream vendors, over real HTTP on loopback: a second Realname
 * process plays the image service and SUBMAIL through its own dialects, a loopback cloudauth verifies
 * ACS3 as the vendor documents, and a fault proxy sits between the gateway and each vendor.
 */
const people = [...generateIdentities(80, 2027)];
/** The vendors know the first 60; the rest are strangers to them. */
const known = people.slice(0, 60);
let next = 0;
const fresh = () => known[next++]!;
const stranger = (i: number) => people[60 + i]!;

let realnameVendor: VendorRealname;
let aliyun: AliyunVendor;
beforeAll(async () => {
  [realnameVendor, aliyun] = await Promise.all([startVendorRealname(known), startAliyunVendor(known)]);
});
afterAll(async () => {
  await Promise.all([realnameVendor?.stop(), aliyun?.close()]);
});

const IMAGE = { MATCH: 0, NAME: -5803, CARD: -5809, NONE: -5807, ERROR: 107, UNREACHABLE: 108 } as const;

describe('each vendor through its own protocol', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ cache: false });
    const { appid, secretId, secretKey, appkey } = realnameVendor.app;
    await gw.admin.add('image', 'tencent-image', { endpoint: realnameVendor.url, credentials: { appid, secretId, secretKey } });
    await gw.admin.add('sub', 'submail', { endpoint: realnameVendor.url, credentials: { appid, appkey } });
    await gw.admin.add('ali', 'aliyun', { endpoint: aliyun.url, credentials: { accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  for (const source of ['image', 'sub', 'ali']) {
    it(`answers match, mismatch and no record from ${source}, and the audit names it`, async () => {
      await gw.admin.setRoute('idcard2', source);
      await gw.admin.setRoute('bankcard3', source);
      await sleep(1100);
      const p = fresh();
      const q = fresh();
      const match = await gw.check('idcard2', p);
      expect(match.code).toBe(IMAGE.MATCH);
      expect(await gw.audit(match.sessionId)).toMatchObject({ verdict: 'match', source, billed: true });
      expect((await gw.check('idcard2', { ...p, name: q.name })).code).toBe(IMAGE.NAME);
      expect((await gw.check('bankcard3', p)).code).toBe(IMAGE.MATCH);
      const card = (await gw.check('bankcard3', { ...p, bankCard: q.bankCard })).code;
      // The image service names the card; SUBMAIL and cloudauth only say the three do not belong together.
      expect(card).toBe(source === 'image' ? IMAGE.CARD : IMAGE.NAME);
      expect((await gw.check('idcard2', stranger(0))).code).toBe(IMAGE.NONE);
    });
  }

  it('answers bankcard2, bankcard4 and phone3 from cloudauth, asked through the FaceID dialect with the official SDK', async () => {
    for (const kind of ['idcard2', 'bankcard3']) await gw.admin.clearRoute(kind);
    await sleep(1100);
    const client = faceidClient({ endpoint: gw.url.replace('http://', ''), secretId: gw.app.secretId, secretKey: gw.app.secretKey });
    const p = fresh();
    const q = fresh();
    expect((await client.BankCard2EVerification({ Name: p.name, BankCard: p.bankCard })).Result).toBe('0');
    expect((await client.BankCard4EVerification({ Name: p.name, BankCard: p.bankCard, Phone: p.phone, IdCard: p.idNumber })).Result).toBe('0');
    expect((await client.PhoneVerification({ IdCard: p.idNumber, Name: p.name, Phone: p.phone })).Result).toBe('0');
    expect((await client.PhoneVerification({ IdCard: p.idNumber, Name: q.name, Phone: p.phone })).Result).toBe('-4');
    expect(aliyun.calls.slice(-4)).toEqual(['BankMetaVerify', 'BankMetaVerify', 'Mobile3MetaSimpleVerify', 'Mobile3MetaSimpleVerify']);
  });

  it('refuses to send factors over plain http to an address that is not loopback', async () => {
    await expect(gw.admin.add('remote', 'aliyun', { endpoint: 'http://192.0.2.10', credentials: { accessKeyId: 'a', accessKeySecret: 'b' } })).rejects.toThrow(/only for a loopback/);
    await expect(gw.admin.set('ali', { endpoint: 'http://example.com' })).rejects.toThrow(/only for a loopback/);
  });
});

describe('failure handling between a primary and a secondary vendor', () => {
  let gw: Gateway;
  let a: FaultProxy;
  let b: FaultProxy;
  beforeAll(async () => {
    gw = await startGateway({ cache: false, sourcesTtlMs: 200 });
    [a, b] = await Promise.all([startFaultProxy(aliyun.url), startFaultProxy(realnameVendor.url)]);
    await gw.admin.add('a', 'aliyun', {
      endpoint: a.url,
      credentials: { accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret },
      // A breaker that does not open in the tests before its own (which lowers the threshold).
      settings: { timeoutMs: 400, breakerFailures: 50, breakerProbeMs: 600, costFen: 10 },
    });
    const { appid, appkey } = realnameVendor.app;
    await gw.admin.add('b', 'submail', { endpoint: b.url, credentials: { appid, appkey }, settings: { timeoutMs: 2000 } });
    await gw.admin.setRoute('idcard2', 'a,b');
    await sleep(300);
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([a?.close(), b?.close()]);
  });
  const settle = async () => {
    a.set('pass');
    a.reset();
    b.reset();
    await sleep(250);
  };

  it('answers from the primary while it answers; a billed mismatch is never asked again elsewhere', async () => {
    await settle();
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    const p = fresh();
    expect((await gw.check('idcard2', { ...p, name: fresh().name })).code).toBe(IMAGE.NAME);
    expect(a.forwarded()).toBe(2);
    expect(b.received()).toBe(0);
  });

  for (const fault of ['5xx', 'garbage'] as const) {
    it(`hands over to the secondary when the primary answers ${fault}, and the audit names both`, async () => {
      await settle();
      a.set(fault);
      const { code, sessionId } = await gw.check('idcard2', fresh());
      expect(code).toBe(IMAGE.MATCH);
      expect(a.received()).toBe(1);
      expect(b.forwarded()).toBe(1);
      expect(await gw.audit(sessionId)).toMatchObject({ source: 'a,b', verdict: 'match' });
    });
  }

  for (const fault of ['reset', 'hang', 'slow', 'cut'] as const) {
    it(`does not ask the secondary after a request that was sent and got no answer (${fault}): it may have been billed`, async () => {
      await settle();
      a.set(fault);
      const { code, sessionId } = await gw.check('idcard2', fresh());
      expect(code).toBe(IMAGE.UNREACHABLE);
      expect(a.received()).toBe(1);
      expect(b.received()).toBe(0);
      expect(await gw.audit(sessionId)).toMatchObject({ verdict: 'unavailable', source: 'a', billed: false });
      // The time limit aborts the upstream request: the proxy sees the gateway hang up.
      if (fault === 'hang' || fault === 'slow') await expect.poll(() => a.abandoned(), { timeout: 2000 }).toBe(1);
    });
  }

  it('asks the secondary when the primary cannot be reached at all: nothing was sent, nothing billed, the audit names only who saw the factors', async () => {
    await gw.admin.add('dead', 'aliyun', { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', accessKeySecret: 'y' }, settings: { costFen: 10 } });
    await gw.admin.setRoute('bankcard3', 'dead,b');
    await settle();
    const { code, sessionId } = await gw.check('bankcard3', fresh());
    expect(code).toBe(IMAGE.MATCH);
    expect(b.forwarded()).toBe(1);
    expect(await gw.audit(sessionId)).toMatchObject({ source: 'b', verdict: 'match' });
    // Refused before it left: it costs nothing, not even possibly.
    await gw.services.upstreams!.ledger.flush();
    expect((await gw.admin.report()).find((r) => r.name === 'dead')).toMatchObject({ callsToday: 1, errorsToday: 1, maybeBilledToday: 0, costTodayFen: 0 });
    await gw.admin.remove('dead');
  });

  it('counts a request that timed out after it left at its cost, as possibly billed, in the figures and against the daily budget', async () => {
    await gw.services.upstreams!.ledger.flush();
    const before = (await gw.admin.report()).find((r) => r.name === 'a')!;
    // Room for one more call today.
    await gw.admin.set('a', { settings: { dailyBudgetFen: before.costTodayFen + 10 } });
    await settle();
    a.set('hang');
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.UNREACHABLE);
    // The vendor may have billed it: the budget is spent, so the primary is skipped and not asked again.
    a.set('pass');
    for (let i = 0; i < 2; i++) expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.received()).toBe(1);
    expect(b.forwarded()).toBe(2);
    await gw.services.upstreams!.ledger.flush();
    expect((await gw.admin.report()).find((r) => r.name === 'a')).toMatchObject({
      state: 'over budget',
      costTodayFen: before.costTodayFen + 10,
      maybeBilledToday: before.maybeBilledToday + 1,
      billedToday: before.billedToday,
    });
    const logs = gw.logs.join('');
    expect(logs).toMatch(/"source":"a","code":"timeout","ms":\d+,"billed":false,"costFen":10,"maybeBilled":true,"msg":"upstream call"/);
    // A spent budget is said once (per source and day), not on every skipped check.
    expect(gw.logs.filter((l) => l.includes('"source":"a"') && l.includes('daily budget spent'))).toHaveLength(1);
    await gw.admin.set('a', { settings: { dailyBudgetFen: null } });
  });

  it('asks the secondary after such a request where the source says --retry-on-timeout', async () => {
    await gw.admin.set('a', { settings: { retryOnTimeout: true } });
    await settle();
    a.set('hang');
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(b.forwarded()).toBe(1);
    a.set('reset');
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(b.forwarded()).toBe(2);
    await gw.admin.set('a', { settings: { retryOnTimeout: false } });
  });

  it('waits for a slow answer inside the time limit', async () => {
    await settle();
    a.set({ delayMs: 150 });
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(b.received()).toBe(0);
  });

  it('opens the breaker after consecutive failures, skips the primary while open, and recovers through a half-open probe', async () => {
    await gw.admin.set('a', { settings: { breakerFailures: 3 } });
    await settle();
    a.set('5xx');
    for (let i = 0; i < 3; i++) expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.received()).toBe(3);
    // Open: the primary is not even asked.
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.received()).toBe(3);
    expect(b.forwarded()).toBe(4);
    expect(gw.services.upstreams!.views().find((v) => v.record.name === 'a')?.breaker).toBe('open');
    await expect.poll(async () => (await gw.admin.report()).find((r) => r.name === 'a')?.state, { timeout: 3000 }).toBe('open');
    // After the probe delay one call goes through; it succeeds and closes the breaker.
    a.set('pass');
    await sleep(700);
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.forwarded()).toBe(1);
    expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.forwarded()).toBe(2);
    expect(b.forwarded()).toBe(4);
    await gw.admin.set('a', { settings: { breakerFailures: 50 } });
  });

  it('keeps at most --concurrency requests in flight to a source', async () => {
    await gw.admin.set('a', { settings: { concurrency: 2, timeoutMs: 3000 } });
    await settle();
    a.set({ delayMs: 100 });
    const codes = await Promise.all(Array.from({ length: 8 }, () => gw.check('idcard2', fresh())));
    expect(codes.every((c) => c.code === IMAGE.MATCH)).toBe(true);
    expect(a.forwarded()).toBe(8);
    expect(a.maxInFlight()).toBe(2);
    await gw.admin.set('a', { settings: { concurrency: 16, timeoutMs: 400 } });
  });

  it('skips a source over its daily budget, and counts its cost', async () => {
    // What this node counted is written first, so the report and the node agree on today's spending.
    await gw.services.upstreams!.ledger.flush();
    const before = (await gw.admin.report()).find((r) => r.name === 'a')!;
    await gw.admin.set('a', { settings: { dailyBudgetFen: before.costTodayFen + 20 } });
    await settle();
    for (let i = 0; i < 3; i++) expect((await gw.check('idcard2', fresh())).code).toBe(IMAGE.MATCH);
    expect(a.forwarded()).toBe(2);
    expect(b.forwarded()).toBe(1);
    await expect.poll(async () => (await gw.admin.report()).find((r) => r.name === 'a')?.costTodayFen, { timeout: 3000 }).toBe(before.costTodayFen + 20);
    await gw.admin.set('a', { settings: { dailyBudgetFen: null } });
  });

  it('stops asking a disabled source within a second (the kill switch), and asks it again once enabled', async () => {
    await settle();
    await gw.admin.switch('a', true);
    await expect
      .poll(async () => {
        const before = a.received();
        await gw.check('idcard2', fresh());
        return a.received() === before;
      }, { timeout: 1500, interval: 100 })
      .toBe(true);
    expect((await gw.admin.report()).find((r) => r.name === 'a')?.state).toBe('disabled');
    await gw.admin.switch('a', false);
    await expect.poll(async () => (await gw.check('idcard2', fresh()), a.forwarded() > 0), { timeout: 1500, interval: 100 }).toBe(true);
  });

  it('reports calls, errors, latency and cost per source for today', async () => {
    await expect.poll(async () => (await gw.admin.report()).find((r) => r.name === 'a')?.errorsToday, { timeout: 3000 }).toBeGreaterThanOrEqual(8);
    const [ra, rb] = ['a', 'b'].map((n) => (gw.admin.report() as Promise<Awaited<ReturnType<Gateway['admin']['report']>>>).then((rows) => rows.find((r) => r.name === n)!));
    const ar = await ra!;
    const br = await rb!;
    expect(ar).toMatchObject({ type: 'aliyun' });
    // A breaker that closed stops being reported open a few seconds later (nodes say "open" while it is).
    await expect.poll(async () => (await gw.admin.report()).find((r) => r.name === 'a')?.state, { timeout: 5000 }).toBe('ok');
    expect(ar.callsToday).toBeGreaterThan(ar.errorsToday);
    expect(ar.p50Ms).toBeGreaterThan(0);
    expect(ar.p99Ms).toBeGreaterThanOrEqual(ar.p50Ms!);
    expect(ar.costTodayFen).toBe(ar.costMonthFen);
    expect(br.callsToday).toBeGreaterThan(0);
    expect(br.costTodayFen).toBe(0);
    // What a metrics endpoint reads: this node's calls by the vendor's code (or what happened instead).
    const codes = gw.services.upstreams!.ledger.figures().get('a')!.codes;
    expect(Object.keys(codes)).toEqual(expect.arrayContaining(['1', 'HTTP 502', 'garbage', 'timeout', 'UND_ERR_SOCKET']));
  });
});
