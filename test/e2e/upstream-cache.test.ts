import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/access/tenants.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { startAliyunVendor, type AliyunVendor } from '../helpers/aliyun-vendor.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { imageCheck, startGateway, type Gateway } from '../helpers/gateway.ts';
import { createRedisPrefix, createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../helpers/services.ts';

const people = [...generateIdentities(12, 4242)];
const plaintexts = (used: typeof people) => used.flatMap((p) => [p.idNumber, p.name, p.bankCard, p.phone]);

let vendor: AliyunVendor;
let proxy: FaultProxy;
beforeAll(async () => {
  vendor = await startAliyunVendor(people);
  proxy = await startFaultProxy(vendor.url);
});
afterAll(async () => {
  await proxy?.close();
  await vendor?.close();
});

describe('the result cache in front of an upstream vendor (one process, in memory)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ cache: { ttlMs: { match: 1500, mismatch: 1500, not_found: 1500 } } });
    await gw.admin.add('ali', 'aliyun', { endpoint: proxy.url, credentials: { accessKeyId: vendor.accessKeyId, accessKeySecret: vendor.accessKeySecret } });
    await gw.admin.setRoute('idcard2', 'ali');
    await gw.admin.setRoute('bankcard3', 'ali');
    await sleep(1100);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers 100 identical checks at once with one upstream call, a repeat with none, an expired entry with one', async () => {
    proxy.reset();
    const p = people[0]!;
    const quota = async () => (await gw.store.apps.get(gw.app.appid))!.quota!;
    const before = await quota();
    const answers = await Promise.all(Array.from({ length: 100 }, () => gw.check('idcard2', p)));
    expect(answers.every((a) => a.code === 0)).toBe(true);
    expect(proxy.forwarded()).toBe(1);
    const sources = await Promise.all(answers.map(async (a) => (await gw.audit(a.sessionId))?.source));
    expect(sources.filter((s) => s === 'ali')).toHaveLength(1);
    expect(sources.filter((s) => s === 'cache')).toHaveLength(99);
    // A hit is worth the answer: charged to the app's quota by default.
    expect(before - (await quota())).toBe(100);
    expect((await gw.check('idcard2', p)).code).toBe(0);
    expect(proxy.forwarded()).toBe(1);
    await sleep(1600);
    expect((await gw.check('idcard2', p)).code).toBe(0);
    expect(proxy.forwarded()).toBe(2);
  });

  it('remembers a mismatch and a no record, never an unavailable answer', async () => {
    proxy.reset();
    const [p, q] = [people[1]!, people[2]!];
    expect((await gw.check('bankcard3', { ...p, bankCard: q.bankCard })).code).toBe(-5803);
    expect((await gw.check('bankcard3', { ...p, bankCard: q.bankCard })).code).toBe(-5803);
    expect(proxy.forwarded()).toBe(1);
    proxy.set('5xx');
    expect((await gw.check('idcard2', people[3]!)).code).toBe(107);
    proxy.set('pass');
    expect((await gw.check('idcard2', people[3]!)).code).toBe(0);
    expect(proxy.received()).toBe(3);
  });

  it('leaves no plaintext factor in its logs, its audit or its files — though the vendor was sent them', async () => {
    await gw.store.audit.flush();
    const audit = JSON.stringify(await gw.store.audit.query({ limit: 10_000 }));
    const logs = gw.logs.join('');
    // Every upstream call is a line: the source, the vendor's code, the time and the cost — no factor.
    expect(logs).toMatch(/"source":"ali","code":"1","ms":\d+,"billed":true,"costFen":0,"msg":"upstream call"/);
    const files = gw.files();
    const used = people.slice(0, 4);
    // The factors did travel, over the vendor's own protocol.
    expect(proxy.bodies.some((b) => used.some((p) => b.includes(p.idNumber)))).toBe(true);
    for (const plain of plaintexts(used)) {
      expect(logs.includes(plain)).toBe(false);
      expect(audit.includes(plain)).toBe(false);
      for (const file of files) expect(file.includes(Buffer.from(plain, 'utf8'))).toBe(false);
    }
  });
});

const postgresUp = await requireService('postgres');
const redisUp = postgresUp && (await requireService('redis'));

describe.skipIf(!redisUp)('two gateway processes on PostgreSQL + Redis', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let drops: (() => Promise<void>)[] = [];
  let nodes: { child: ChildProcess; url: string; output: () => string }[] = [];
  let app: Credentials;
  let prefix: string;
  let schema: string;

  beforeAll(async () => {
    const made = await createSchema();
    schema = made.schema;
    const redis = createRedisPrefix();
    prefix = redis.prefix;
    drops = [made.drop, redis.drop];
    dir = mkdtempSync(join(tmpdir(), 'realname-gateways-'));
    env = {
      REALNAME_DATA: dir,
      REALNAME_STORE: 'postgres',
      REALNAME_POSTGRES_URL: `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`,
      REALNAME_REDIS_URL: REDIS_URL,
      REALNAME_REDIS_PREFIX: prefix,
      REALNAME_MASTER_KEY: randomBytes(32).toString('base64'),
      REALNAME_LOG_LEVEL: 'debug',
    };
    const created = await realname(['apps', 'create', '--name', 'client', '--json'], { env });
    expect(created.code).toBe(0);
    app = JSON.parse(created.stdout) as Credentials;
    const added = await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', proxy.url], {
      env,
      stdin: JSON.stringify({ accessKeyId: vendor.accessKeyId, accessKeySecret: vendor.accessKeySecret }),
    });
    expect(added.stderr).toBe('');
    expect((await realname(['routes', 'set', 'idcard2', 'ali'], { env })).code).toBe(0);
    nodes = await Promise.all([0, 1].map(() => realnameListening(['serve', '--port', '0'], env)));
  });
  afterAll(async () => {
    for (const n of nodes) n.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => exited(n.child)));
    for (const drop of drops) await drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes one upstream call for 100 identical checks spread over both processes at once', async () => {
    proxy.reset();
    proxy.set({ delayMs: 100 });
    const p = people[5]!;
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => imageCheck(nodes[i % 2]!.url, app, 'idcard2', p)));
    proxy.set('pass');
    expect(answers.map((a) => a.code)).toEqual(Array(100).fill(0));
    expect(proxy.forwarded()).toBe(1);
    // A repeat on either node is answered from the shared cache.
    expect((await imageCheck(nodes[1]!.url, app, 'idcard2', p)).code).toBe(0);
    expect((await imageCheck(nodes[0]!.url, app, 'idcard2', p)).code).toBe(0);
    expect(proxy.forwarded()).toBe(1);
  });

  it('keeps no plaintext factor in Redis keys or values, the logs or the audit', async () => {
    const peek = new Redis(REDIS_URL);
    const db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await db.connect();
    try {
      const keys = await peek.keys(`${prefix}*`);
      expect(keys.some((k) => k.includes('cache:e:'))).toBe(true);
      // Every value, whatever its type (the counters keep hashes and sorted sets beside the cache's strings and sets).
      const read = async (k: string): Promise<string> => {
        const type = await peek.type(k);
        if (type === 'set') return (await peek.smembers(k)).join(' ');
        if (type === 'hash') return JSON.stringify(await peek.hgetall(k));
        if (type === 'zset') return (await peek.zrange(k, 0, -1, 'WITHSCORES')).join(' ');
        if (type === 'list') return (await peek.lrange(k, 0, -1)).join(' ');
        if (type === 'stream') return JSON.stringify(await peek.xrange(k, '-', '+'));
        return String(await peek.get(k));
      };
      const values = await Promise.all(keys.map(read));
      const redisText = [...keys, ...values].join('\n');
      const logs = nodes.map((n) => n.output()).join('');
      await sleep(200);
      const audit = JSON.stringify((await db.query('SELECT * FROM audit')).rows);
      expect(audit).toContain('cache');
      for (const plain of plaintexts([people[5]!])) {
        expect(redisText.includes(plain)).toBe(false);
        expect(logs.includes(plain)).toBe(false);
        expect(audit.includes(plain)).toBe(false);
      }
    } finally {
      peek.disconnect();
      await db.end();
    }
  });

  it('purges the shared cache from the command line', async () => {
    const purged = await realname(['cache', 'purge', '--app', app.appid, '--json'], { env });
    expect(JSON.parse(purged.stdout)).toEqual({ purged: 1, shared: true, app: app.appid });
    // Said in text unless --json: how many the shared cache held.
    expect((await realname(['cache', 'purge', '--app', app.appid], { env })).stdout).toBe(`purged 0 remembered answers (app ${app.appid}'s, in the shared cache)\n`);
    proxy.reset();
    expect((await imageCheck(nodes[0]!.url, app, 'idcard2', people[5]!)).code).toBe(0);
    expect(proxy.forwarded()).toBe(1);
  });
});
