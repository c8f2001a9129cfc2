import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/access/tenants.ts';
import { canonicalCheckId } from '../../src/core/check-id.ts';
import type { CheckKind } from '../../src/core/factors.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startGateway, type Gateway } from '../helpers/gateway.ts';
import { faceidClient, type FaceidClient } from '../helpers/tencentcloud.ts';
import { startVendorRealname, type VendorRealname } from '../helpers/vendor-realname.ts';

/**
 * Realname as the gateway in front of FaceID API 3.0, over real HTTP on loopback: a second Realname
 * process (`realname serve`, the build) plays Tencent Cloud through its FaceID dialect, for the
 * `tencentcloud` source and for the `realname` source (a branch office asking headquarters). Clients ask
 * the gateway with the official Node SDK.
 */
type Person = { name: string; idNumber: string; bankCard: string; phone: string };
const people: Person[] = [...generateIdentities(90, 3112)];
/** Headquarters (the vendor) knows the first 70; the rest are strangers to it. */
const known = people.slice(0, 70);
let next = 0;
const fresh = () => known[next++]!;
const stranger = (i: number) => people[70 + i]!;
/** Every factor a test sent: none may be found in plaintext in the gateway's logs, audit or files. */
const sent = new Set<string>();

type Action = 'IdCardVerification' | 'BankCardVerification' | 'BankCard2EVerification' | 'BankCard4EVerification' | 'PhoneVerification';
const KIND: Record<Action, CheckKind> = {
  IdCardVerification: 'idcard2',
  BankCardVerification: 'bankcard3',
  BankCard2EVerification: 'bankcard2',
  BankCard4EVerification: 'bankcard4',
  PhoneVerification: 'phone3',
};
const ACTIONS = Object.keys(KIND) as Action[];
const REQUEST: Record<Action, (p: Person) => Record<string, string>> = {
  IdCardVerification: (p) => ({ IdCard: p.idNumber, Name: p.name }),
  BankCardVerification: (p) => ({ IdCard: p.idNumber, Name: p.name, BankCard: p.bankCard }),
  BankCard2EVerification: (p) => ({ Name: p.name, BankCard: p.bankCard }),
  BankCard4EVerification: (p) => ({ Name: p.name, BankCard: p.bankCard, Phone: p.phone, IdCard: p.idNumber }),
  PhoneVerification: (p) => ({ IdCard: p.idNumber, Name: p.name, Phone: p.phone, VerifyMode: '1' }),
};
/** A mismatch of each action: another's name where the registry's record names it, else another's card or phone. */
const MISMATCH: Record<Action, (p: Person, q: Person) => Person> = {
  IdCardVerification: (p, q) => ({ ...p, name: q.name }),
  BankCardVerification: (p, q) => ({ ...p, bankCard: q.bankCard }),
  BankCard2EVerification: (p, q) => ({ ...p, name: q.name }),
  BankCard4EVerification: (p, q) => ({ ...p, phone: q.phone }),
  PhoneVerification: (p, q) => ({ ...p, phone: q.phone }),
};

interface Answer {
  Result?: string;
  Description?: string;
  ResultDetail?: string;
  RequestId: string;
}
async function ask(client: FaceidClient, action: Action, p: Person): Promise<Answer> {
  for (const v of Object.values(p)) sent.add(v);
  return (await (client as unknown as Record<Action, (r: object) => Promise<Answer>>)[action](REQUEST[action](p))) as Answer;
}
const shape = (a: Answer) => ({ Result: a.Result, Description: a.Description, ResultDetail: a.ResultDetail });

let hq: VendorRealname;
/** The official SDK pointed at headquarters itself: what a client asking it directly is answered. */
let direct: FaceidClient;
beforeAll(async () => {
  hq = await startVendorRealname(known);
  direct = faceidClient({ endpoint: hq.url.replace('http://', ''), secretId: hq.app.secretId, secretKey: hq.app.secretKey });
});
afterAll(async () => {
  await hq?.stop();
});

describe('the tencentcloud and realname sources, every action and verdict, through the gateway', () => {
  let gw: Gateway;
  let client: FaceidClient;
  beforeAll(async () => {
    gw = await startGateway({ cache: false });
    const credentials = { secretId: hq.app.secretId, secretKey: hq.app.secretKey };
    await gw.admin.add('tc', 'tencentcloud', { endpoint: hq.url, credentials });
    await gw.admin.add('hq', 'realname', { endpoint: hq.url, credentials });
    client = faceidClient({ endpoint: gw.url.replace('http://', ''), secretId: gw.app.secretId, secretKey: gw.app.secretKey });
  });
  afterAll(async () => {
    await gw?.close();
  });
  const route = async (source: string) => {
    for (const kind of Object.values(KIND)) await gw.admin.setRoute(kind, source);
    await sleep(1100);
  };
  const audit = async (a: Answer) => gw.audit(canonicalCheckId(a.RequestId));

  it('answers through the realname source exactly as headquarters answers its own clients: match, mismatch (ResultDetail too), no record', async () => {
    await route('hq');
    for (const action of ACTIONS) {
      const [p, q] = [fresh(), fresh()];
      for (const [verdict, person] of [['match', p], ['mismatch', MISMATCH[action](p, q)], ['not_found', stranger(0)]] as const) {
        const [through, itself] = [await ask(client, action, person), await ask(direct, action, person)];
        expect(shape(through), `${action} ${verdict}`).toEqual(shape(itself));
        // Billed to the gateway's tenant as headquarters bills it: the bank actions' no-record too, not IdCard's or Phone's.
        const billed = verdict !== 'not_found' || !['IdCardVerification', 'PhoneVerification'].includes(action);
        expect(await audit(through)).toMatchObject({ verdict, source: 'hq', billed, dialect: 'tencentcloud' });
      }
    }
    const codes = gw.services.upstreams!.ledger.figures().get('hq')!.codes;
    expect(codes).toMatchObject({ 'IdCardVerification/0': 1, 'IdCardVerification/-1': 1, 'IdCardVerification/-5': 1, 'BankCard2EVerification/-4': 1, 'PhoneVerification/-4': 1 });
  });

  it("answers through the tencentcloud source by the vendor's table: 持卡人信息有误 is a mismatch on the card, and a phone mismatch names no factor (the vendor's default mode)", async () => {
    await route('tc');
    for (const action of ACTIONS) {
      const [p, q] = [fresh(), fresh()];
      expect((await ask(client, action, p)).Result, action).toBe('0');
      const mismatch = await ask(client, action, MISMATCH[action](p, q));
      expect(mismatch.Result).toBe(action === 'PhoneVerification' ? '-4' : '-1');
      expect(await audit(mismatch)).toMatchObject({ verdict: 'mismatch', source: 'tc', billed: true });
      if (action === 'PhoneVerification') expect(mismatch.ResultDetail).toBe('OtherMismatch');
      const none = await ask(client, action, stranger(1));
      const bank = !['IdCardVerification', 'PhoneVerification'].includes(action);
      // What headquarters answered 持卡人信息有误 (billed) comes back a billed mismatch: never a no-record to fall through on.
      expect(none.Result).toBe(bank ? '-1' : { IdCardVerification: '-5', PhoneVerification: '-9' }[action as string]);
      expect(await audit(none)).toMatchObject(bank ? { verdict: 'mismatch', billed: true } : { verdict: 'not_found', billed: false });
    }
  });

  it("answers invalid input itself: no source is asked and nothing is billed", async () => {
    await route('hq');
    const before = gw.services.upstreams!.ledger.figures().get('hq')!.calls;
    const p = fresh();
    const answer = await ask(client, 'BankCardVerification', { ...p, bankCard: '62220202' });
    expect(answer.Result).toBe('-4');
    expect(await audit(answer)).toMatchObject({ source: 'validation', billed: false });
    expect(gw.services.upstreams!.ledger.figures().get('hq')!.calls).toBe(before);
  });

  it('answers the image dialect from the same sources: a card not the person\'s, and no record', async () => {
    await route('hq');
    const [p, q] = [fresh(), fresh()];
    expect((await gw.check('bankcard3', p)).code).toBe(0);
    expect((await gw.check('bankcard3', { ...p, bankCard: q.bankCard })).code).toBe(-5803);
    expect((await gw.check('bankcard3', stranger(2))).code).toBe(-5807);
    await route('tc');
    expect((await gw.check('bankcard3', stranger(2))).code).toBe(-5809);
    for (const x of [p, q, stranger(2)]) for (const v of Object.values(x)) sent.add(v);
  });

  it('leaves no plaintext factor in its logs, its audit or its files — though headquarters was sent them', async () => {
    await gw.store.audit.flush();
    const auditText = JSON.stringify(await gw.store.audit.query({ limit: 10_000 }));
    const logs = gw.logs.join('');
    expect(logs).toMatch(/"source":"hq","code":"PhoneVerification\/-4","ms":\d+,"billed":true/);
    const files = gw.files();
    expect(sent.size).toBeGreaterThan(40);
    for (const plain of sent) {
      expect(logs.includes(plain), 'logs').toBe(false);
      expect(auditText.includes(plain), 'audit').toBe(false);
      for (const file of files) expect(file.includes(Buffer.from(plain, 'utf8')), 'files').toBe(false);
    }
  });
});

describe('failure handling between tencentcloud and the realname source', () => {
  let gw: Gateway;
  let a: FaultProxy;
  let b: FaultProxy;
  let client: FaceidClient;
  beforeAll(async () => {
    gw = await startGateway({ cache: false, sourcesTtlMs: 200 });
    [a, b] = await Promise.all([startFaultProxy(hq.url), startFaultProxy(hq.url)]);
    const credentials = { secretId: hq.app.secretId, secretKey: hq.app.secretKey };
    await gw.admin.add('tc', 'tencentcloud', { endpoint: a.url, credentials, settings: { timeoutMs: 400, breakerFailures: 50, costFen: 12 } });
    await gw.admin.add('hq', 'realname', { endpoint: b.url, credentials, settings: { timeoutMs: 2000, breakerFailures: 50 } });
    for (const kind of Object.values(KIND)) await gw.admin.setRoute(kind, 'tc,hq');
    client = faceidClient({ endpoint: gw.url.replace('http://', ''), secretId: gw.app.secretId, secretKey: gw.app.secretKey });
    await sleep(300);
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([a?.close(), b?.close()]);
  });
  const settle = () => {
    a.set('pass');
    a.reset();
    b.reset();
  };
  const audit = async (x: Answer) => gw.audit(canonicalCheckId(x.RequestId));
  /** The vendor's answer with its Result (and Description) replaced: what a bank's card state looks like on the wire. */
  const withResult = (result: string, description: string) => (answer: string) => {
    const json = JSON.parse(answer) as { Response: Record<string, unknown> };
    return JSON.stringify({ Response: { ...json.Response, Result: result, Description: description } });
  };

  it('signs through a proxy on another port: the host is signed without its port', async () => {
    settle();
    expect((await ask(client, 'IdCardVerification', fresh())).Result).toBe('0');
    expect(a.forwarded()).toBe(1);
    expect(b.received()).toBe(0);
  });

  it("never asks again elsewhere what the vendor billed: a card's state (此卡已挂失) is a billed mismatch on the card", async () => {
    settle();
    a.set({ rewrite: withResult('-12', '此卡已挂失') });
    const answer = await ask(client, 'BankCardVerification', fresh());
    expect(answer.Result).toBe('-1');
    expect(a.forwarded()).toBe(1);
    expect(b.received()).toBe(0);
    expect(await audit(answer)).toMatchObject({ verdict: 'mismatch', source: 'tc', billed: true });
    await gw.services.upstreams!.ledger.flush();
    expect(gw.services.upstreams!.ledger.figures().get('tc')!.codes['BankCardVerification/-12']).toBe(1);
  });

  it('never asks again elsewhere a Result the table lacks (it may have been billed)', async () => {
    settle();
    a.set({ rewrite: withResult('-42', '新的结果码') });
    const answer = await ask(client, 'BankCard2EVerification', fresh());
    expect(answer.Result).toBe('-16');
    expect(b.received()).toBe(0);
    expect(await audit(answer)).toMatchObject({ verdict: 'unavailable', source: 'tc', billed: false });
  });

  it("hands over to headquarters after an unbilled error: 服务繁忙, the vendor refusing our credentials, a 5xx, garbage", async () => {
    const badKey = { secretId: hq.app.secretId, secretKey: 'not-the-secret-key' };
    await gw.admin.add('bad', 'tencentcloud', { endpoint: a.url, credentials: badKey });
    await gw.admin.setRoute('phone3', 'bad,hq');
    await sleep(300);
    settle();
    // A real AuthFailure.SignatureFailure from headquarters' verifier.
    const refused = await ask(client, 'PhoneVerification', fresh());
    expect(refused.Result).toBe('0');
    expect(await audit(refused)).toMatchObject({ source: 'bad,hq', verdict: 'match' });
    expect(gw.services.upstreams!.ledger.figures().get('bad')!.codes).toEqual({ 'AuthFailure.SignatureFailure': 1 });
    await gw.admin.remove('bad');
    await gw.admin.setRoute('phone3', 'tc,hq');
    await sleep(300);
    for (const fault of [{ rewrite: withResult('-17', '验证中心服务繁忙') }, '5xx', 'garbage'] as const) {
      settle();
      a.set(fault);
      const answer = await ask(client, 'BankCardVerification', fresh());
      expect(answer.Result).toBe('0');
      expect(a.received()).toBe(1);
      expect(b.forwarded()).toBe(1);
      expect(await audit(answer)).toMatchObject({ source: 'tc,hq', verdict: 'match', billed: true });
    }
  });

  it('does not ask headquarters after a request that was sent and got no answer: it may have been billed', async () => {
    settle();
    a.set('hang');
    const answer = await ask(client, 'IdCardVerification', fresh());
    expect(answer.Result).toBe('-4');
    expect(b.received()).toBe(0);
    expect(await audit(answer)).toMatchObject({ verdict: 'unavailable', source: 'tc', billed: false });
    // The time limit aborted the upstream request: the proxy sees the gateway hang up.
    await expect.poll(() => a.abandoned(), { timeout: 2000 }).toBe(1);
  });

  it('answers each action\'s unavailable Result when no source can answer', async () => {
    settle();
    a.set('5xx');
    b.set('5xx');
    const unavailable: Record<Action, string> = { IdCardVerification: '-4', BankCardVerification: '-17', BankCard2EVerification: '-16', BankCard4EVerification: '-18', PhoneVerification: '-11' };
    for (const action of ACTIONS) {
      const answer = await ask(client, action, fresh());
      expect(answer.Result, action).toBe(unavailable[action]);
      expect(await audit(answer)).toMatchObject({ verdict: 'unavailable', source: 'tc,hq', billed: false });
    }
    b.set('pass');
  });

  it('counts what tencentcloud billed, and what it may have billed, at its cost', async () => {
    await gw.services.upstreams!.ledger.flush();
    const row = (await gw.admin.report()).find((r) => r.name === 'tc')!;
    // Billed by the vendor: the first match and the card state; possibly billed: the request that hung.
    expect(row).toMatchObject({ billedToday: 2, maybeBilledToday: 1, costTodayFen: 36 });
    expect(row.errorsToday).toBeGreaterThanOrEqual(9);
  });
});

describe('a branch office (`realname serve`) asking headquarters through the realname source, configured from the command line', () => {
  let dir: string;
  let node: { child: ChildProcess; url: string; output: () => string };
  let app: Credentials;
  let proxy: FaultProxy;
  const local = fresh();

  beforeAll(async () => {
    proxy = await startFaultProxy(hq.url);
    dir = mkdtempSync(join(tmpdir(), 'realname-branch-'));
    // The branch holds one person of its own: its registry is asked first, headquarters after it.
    const csv = join(dir, 'local.csv');
    writeFileSync(csv, `name,idNumber,bankCard,phone\n${local.name},${local.idNumber},${local.bankCard},${local.phone}\n`);
    expect((await realname(['registry', 'import', csv, '--data', dir])).code).toBe(0);
    rmSync(csv);
    const created = await realname(['apps', 'create', '--name', 'branch-client', '--json', '--data', dir]);
    app = JSON.parse(created.stdout) as Credentials;
    const added = await realname(['sources', 'add', 'hq', '--type', 'realname', '--endpoint', proxy.url, '--data', dir, '--json'], {
      stdin: JSON.stringify({ secretId: hq.app.secretId, secretKey: hq.app.secretKey }),
    });
    expect(added.stderr).toBe('');
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'hq', type: 'realname', kinds: expect.arrayContaining(['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3']), credentials: ['secretId', 'secretKey'] });
    expect(added.stdout).not.toContain(hq.app.secretKey);
    node = await realnameListening(['serve', '--port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'debug', REALNAME_LOG_FORMAT: 'json' });
  });
  afterAll(async () => {
    node?.child.kill('SIGTERM');
    if (node) await exited(node.child);
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers from its own registry first, and from headquarters what it does not hold (the default route)', async () => {
    const c = faceidClient({ endpoint: node.url.replace('http://', ''), secretId: app.secretId, secretKey: app.secretKey });
    expect((await ask(c, 'BankCard4EVerification', local)).Result).toBe('0');
    expect(proxy.received()).toBe(0);
    const [p, q] = [fresh(), fresh()];
    for (const action of ACTIONS) {
      expect(shape(await ask(c, action, p)), action).toEqual(shape(await ask(direct, action, p)));
      const other = MISMATCH[action](p, q);
      expect(shape(await ask(c, action, other)), action).toEqual(shape(await ask(direct, action, other)));
    }
    expect(proxy.forwarded()).toBe(10);
    // What the node counted reaches the store within a second.
    await expect.poll(async () => (await realname(['sources', '--data', dir])).stdout, { timeout: 4000, interval: 300 }).toMatch(/hq\s+realname\s+ok\s+10\s+0\s/);
  });

  it("keeps the factors out of the branch's logs (which name headquarters' codes)", () => {
    const logs = node.output();
    expect(logs).toContain('"code":"BankCard4EVerification/-1"');
    for (const plain of [local, fresh()].flatMap((x) => Object.values(x)).concat([...sent])) expect(logs.includes(plain)).toBe(false);
  });
});
