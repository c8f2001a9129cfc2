import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-cli-'));
const SECRET = 'a-vendor-secret-that-must-stay-sealed';
const aliyun = JSON.stringify({ accessKeyId: 'LTAI5tExample', accessKeySecret: SECRET });

describe('realname sources, routes and cache', () => {
  it('adds a source with its credentials from stdin, sealed at rest, and never prints them', async () => {
    const dir = data();
    const added = await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://cloudauth.aliyuncs.com', '--cost-fen', '15', '--daily-budget-fen', '50000', '--timeout-ms', '2500', '--data', dir, '--json'], { stdin: aliyun });
    expect(added.code).toBe(0);
    const shown = JSON.parse(added.stdout);
    expect(shown).toMatchObject({ name: 'ali', type: 'aliyun', kinds: ['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3'], credentials: ['accessKeyId', 'accessKeySecret'], disabled: false, state: 'ok' });
    // Today's figures, once: not the configuration again.
    expect(shown.today).toEqual({ calls: 0, errors: 0, billed: 0, maybeBilled: 0, p50Ms: null, p99Ms: null, costFen: 0 });
    expect(shown.settings).toMatchObject({ costFen: 15, dailyBudgetFen: 50000, timeoutMs: 2500, concurrency: 16, breakerFailures: 5, breakerProbeMs: 30000, retryOnTimeout: false });
    expect(added.stdout).not.toContain(SECRET);
    for (const file of ['realname.db', 'realname.db-wal']) {
      let bytes = Buffer.alloc(0);
      try {
        bytes = readFileSync(join(dir, file));
      } catch {
        // no WAL left
      }
      expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    }
    const table = await realname(['sources', '--data', dir]);
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+STATE\s+CALLS\s+ERRORS\s+BILLED\s+MAYBE BILLED\s+P50\s+P99\s+COST TODAY\s+BUDGET\/DAY\s+COST MONTH\n/);
    expect(table.stdout).toMatch(/ali\s+aliyun\s+ok\s+0\s+0\s+0\s+0\s+-\s+-\s+¥0\.00\s+¥500\.00\s+¥0\.00/);
  });

  it('refuses bad input in one line, quoting no secret: credentials in the wrong shape, plain http, an unknown type', async () => {
    const dir = data();
    const bad = await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://x.example', '--data', dir], { stdin: JSON.stringify({ accessKeyId: 'x', secret: SECRET }) });
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toBe('realname: credentials field secret is not one of accessKeyId, accessKeySecret\n');
    expect((await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://x.example', '--data', dir], { stdin: 'not json' })).stderr).toBe('realname: credentials must be one JSON object on stdin\n');
    expect((await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'http://x.example', '--data', dir], { stdin: aliyun })).stderr).toMatch(/plain http is only for a loopback endpoint/);
    expect((await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'http://x.example', '--insecure', '--data', dir], { stdin: aliyun })).code).toBe(0);
    expect((await realname(['sources', 'add', 'x', '--type', 'nope', '--endpoint', 'https://x.example', '--data', dir], { stdin: aliyun })).code).toBe(2);
    expect((await realname(['sources', 'add', 'registry', '--type', 'aliyun', '--endpoint', 'https://x.example', '--data', dir], { stdin: aliyun })).stderr).toMatch(/a source name is/);
    expect((await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://x.example', '--data', dir], { stdin: aliyun })).stderr).toMatch(/a source named ali exists/);
  });

  it('adds Tencent Cloud FaceID and another Realname with {"secretId","secretKey"} from stdin, answering all five kinds', async () => {
    const dir = data();
    const faceid = JSON.stringify({ secretId: 'AKIDexample', secretKey: SECRET });
    for (const [name, type, endpoint] of [['tc', 'tencentcloud', 'https://faceid.tencentcloudapi.com'], ['hq', 'realname', 'https://hq.example:8443']]) {
      const added = await realname(['sources', 'add', name!, '--type', type!, '--endpoint', endpoint!, '--data', dir, '--json'], { stdin: faceid });
      expect(added.code).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ name, type, endpoint, kinds: ['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3'], credentials: ['secretId', 'secretKey'] });
      expect(added.stdout).not.toContain(SECRET);
    }
    const wrong = await realname(['sources', 'add', 'x', '--type', 'realname', '--endpoint', 'https://hq.example', '--data', dir], { stdin: JSON.stringify({ appid: '1', secretId: 'a', secretKey: 'b' }) });
    expect(wrong.stderr).toBe('realname: credentials field appid is not one of secretId, secretKey\n');
    expect((await realname(['sources', 'add', 'x', '--type', 'realname', '--endpoint', 'http://10.0.0.8:8080', '--data', dir], { stdin: faceid })).stderr).toMatch(/plain http is only for a loopback endpoint/);
    expect((await realname(['sources', 'add', 'x', '--type', 'nope', '--endpoint', 'https://x.example', '--data', dir], { stdin: faceid })).stderr).toMatch(/tencentcloud, realname/);
  });

  it('changes, switches off and on, routes and removes a source', async () => {
    const dir = data();
    await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://x.example', '--data', dir], { stdin: aliyun });
    await realname(['sources', 'add', 'sub', '--type', 'submail', '--endpoint', 'https://tpa.mysubmail.com', '--kinds', 'idcard2', '--data', dir], { stdin: '{"appid":"1","appkey":"k"}' });
    const set = await realname(['sources', 'set', 'ali', '--concurrency', '4', '--daily-budget-fen', 'none', '--retry-on-timeout', '--credentials', '-', '--data', dir, '--json'], { stdin: aliyun });
    expect(JSON.parse(set.stdout).settings).toMatchObject({ concurrency: 4, dailyBudgetFen: null, retryOnTimeout: true });
    expect(JSON.parse((await realname(['sources', 'disable', 'ali', '--data', dir, '--json'])).stdout)).toEqual({ name: 'ali', disabled: true });
    expect((await realname(['sources', '--data', dir])).stdout).toMatch(/ali\s+aliyun\s+disabled/);
    expect(JSON.parse((await realname(['sources', 'enable', 'ali', '--json', '--data', dir])).stdout)).toEqual({ name: 'ali', disabled: false });
    const route = await realname(['routes', 'set', 'bankcard3', 'registry,ali', '--data', dir, '--json']);
    expect(JSON.parse(route.stdout)).toEqual({
      kind: 'bankcard3',
      route: [
        { source: 'registry', notFound: 'next' },
        { source: 'ali', notFound: 'answer' },
      ],
    });
    expect((await realname(['routes', 'set', 'idcard2', 'ali:next,sub', '--data', dir])).code).toBe(0);
    // bankcard3 keeps the registry alone, where its default route would ask a vendor (sub does not answer it; tc does).
    await realname(['sources', 'add', 'tc', '--type', 'tencentcloud', '--endpoint', 'https://faceid.tencentcloudapi.com', '--data', dir], { stdin: JSON.stringify({ secretId: 'AKID', secretKey: SECRET }) });
    const removed = await realname(['sources', 'remove', 'ali', '--data', dir]);
    expect(removed).toMatchObject({ code: 0, stdout: 'source ali removed\n' });
    expect(removed.stderr).toBe(
      'realname: warning: the route of bankcard3 is now registry:next; its default route would be registry:next,tc:answer (`realname routes clear bankcard3` takes it, `routes set` sets another)\n',
    );
    expect(JSON.parse((await realname(['routes', 'list', '--data', dir, '--json'])).stdout)).toEqual({
      bankcard3: [{ source: 'registry', notFound: 'next' }],
      idcard2: [{ source: 'sub', notFound: 'answer' }],
    });
    expect((await realname(['sources', 'show', 'ali', '--data', dir])).stderr).toBe('realname: no source ali\n');
    expect(JSON.parse((await realname(['routes', 'clear', 'idcard2', '--data', dir, '--json'])).stdout)).toEqual({ kind: 'idcard2', route: 'default' });
    // A removal that leaves no source in a route says so too.
    await realname(['routes', 'set', 'phone3', 'tc', '--data', dir]);
    const last = await realname(['sources', 'remove', 'tc', '--json', '--data', dir]);
    expect(JSON.parse(last.stdout)).toEqual({ name: 'tc', removed: true, routes: { phone3: [] } });
    // bankcard3's registry alone is now its default too: nothing to say about it.
    expect(last.stderr).toBe(
      'realname: warning: the route of phone3 is now (no source: its checks are answered unavailable); its default route would be registry:answer (`realname routes clear phone3` takes it, `routes set` sets another)\n',
    );
  });

  it('prints concise text unless asked for --json, and one JSON document with it', async () => {
    const dir = data();
    const added = await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://x.example', '--cost-fen', '15', '--data', dir], { stdin: aliyun });
    expect(added.stdout).toMatch(/^source ali added\nsource ali \(aliyun\) — ok\n {2}endpoint {5}https:\/\/x\.example\n/);
    expect(added.stdout).toMatch(/\n {2}credentials {2}accessKeyId, accessKeySecret \(sealed\)\n/);
    expect(added.stdout).toMatch(/\n {2}today {8}0 calls, 0 errors, 0 billed, 0 possibly billed/);
    expect(added.stdout).not.toContain(SECRET);
    expect((await realname(['sources', 'show', 'ali', '--data', dir])).stdout).toMatch(/^source ali \(aliyun\) — ok\n/);
    expect((await realname(['sources', 'set', 'ali', '--timeout-ms', '900', '--data', dir])).stdout).toMatch(/\n {2}time limit {3}900 ms;/);
    expect((await realname(['sources', 'disable', 'ali', '--data', dir])).stdout).toBe('source ali disabled: no node asks it within a second\n');
    expect((await realname(['sources', 'enable', 'ali', '--data', dir])).stdout).toBe('source ali enabled: every node may ask it again within a second\n');
    expect((await realname(['routes', 'set', 'bankcard3', 'registry,ali', '--data', dir])).stdout).toBe('bankcard3: registry:next,ali:answer\n');
    const list = await realname(['routes', 'list', '--data', dir]);
    expect(list.stdout).toMatch(/^bankcard3\s+registry:next,ali:answer\nidcard2\s+default: registry:next,ali:answer\n/);
    const listed = await realname(['routes', 'list', '--json', '--data', dir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ bankcard3: [{ source: 'registry', notFound: 'next' }, { source: 'ali', notFound: 'answer' }] });
    expect((await realname(['routes', 'clear', 'bankcard3', '--data', dir])).stdout).toBe('bankcard3: the default route, now registry:next,ali:answer\n');
    const shown = await realname(['sources', 'show', 'ali', '--json', '--data', dir]);
    expect(shown.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'ali', settings: { timeoutMs: 900, costFen: 15 } });
  });

  it('calls a wrong argument a usage error (exit 2): nothing to set, an unknown kind, an unknown or unfit source in a route', async () => {
    const dir = data();
    await realname(['sources', 'add', 'sub', '--type', 'submail', '--endpoint', 'https://tpa.mysubmail.com', '--kinds', 'idcard2', '--data', dir], { stdin: '{"appid":"1","appkey":"k"}' });
    const nothing = await realname(['sources', 'set', 'sub', '--data', dir]);
    expect(nothing).toMatchObject({ code: 2, stdout: '' });
    expect(nothing.stderr).toMatch(/^realname: nothing to set: give at least one of --endpoint, .*\nusage: realname sources set <name> \[options\]/);
    for (const args of [['routes', 'set', 'nokind', 'registry'], ['routes', 'clear', 'bogus'], ['routes', 'set', 'idcard2', 'registry,bogus'], ['routes', 'set', 'bankcard3', 'registry,sub'], ['routes', 'set', 'idcard2', 'sub:maybe']]) {
      const run = await realname([...args, '--data', dir]);
      expect(run, args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/\nusage: realname routes (set <kind> <sources>|clear <kind>) \[options\]/);
    }
    expect((await realname(['routes', 'set', 'bankcard3', 'registry,sub', '--data', dir])).stderr).toMatch(/^realname: source sub does not answer bankcard3\n/);
    expect((await realname(['routes', 'set', 'nokind', 'registry', '--data', dir])).stderr).toMatch(/expected one of idcard2, bankcard2, bankcard3, bankcard4, phone3/);
    // A source that is not there, outside a route, is a failure like an unknown app (exit 1).
    expect((await realname(['sources', 'show', 'nope', '--data', dir])).code).toBe(1);
  });

  it('purges the cache for an app, and by ID number read from stdin', async () => {
    const dir = data();
    // A store to purge (a purge creates none).
    const created = await realname(['apps', 'create', '--name', 'shop', '--json', '--data', dir]);
    const { appid } = JSON.parse(created.stdout) as { appid: string };
    expect(JSON.parse((await realname(['cache', 'purge', '--app', appid, '--json', '--data', dir])).stdout)).toEqual({ app: appid, purged: null, shared: false });
    // Each node keeps its cache in memory (SQLite): they forget, and count, what they held.
    expect((await realname(['cache', 'purge', '--app', appid, '--data', dir])).stdout).toBe(
      `purge noted (app ${appid}'s): every running node forgets those answers within a second and logs how many it removed (its cache is in its memory)\n`,
    );
    expect(await realname(['cache', 'purge', '--app', '999', '--data', dir])).toMatchObject({ code: 1, stdout: '', stderr: 'realname: no app 999 (realname apps list shows the apps)\n' });
    expect((await realname(['cache', 'purge', '--id-number', '-', '--data', dir], { stdin: '123' })).stderr).toBe('realname: that is not a valid ID number\n');
    expect((await realname(['cache', 'purge', '--id-number', '11010519491231002X', '--data', dir])).code).toBe(2);
  });
});
