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
    const added = await realname(['sources', 'add', 'ali', '--type', 'aliyun', '--endpoint', 'https://cloudauth.aliyuncs.com', '--cost-fen', '15', '--daily-budget-fen', '50000', '--timeout-ms', '2500', '--data', dir], { stdin: aliyun });
    expect(added.code).toBe(0);
    const shown = JSON.parse(added.stdout);
    expect(shown).toMatchObject({ name: 'ali', type: 'aliyun', kinds: ['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3'], credentials: ['accessKeyId', 'accessKeySecret'], disabled: false });
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
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+STATE\s+CALLS\s+ERRORS\s+P50\s+P99\s+COST TODAY\s+BUDGET\/DAY\s+COST MONTH\n/);
    expect(table.stdout).toMatch(/ali\s+aliyun\s+ok\s+0\s+0\s+-\s+-\s+¥0\.00\s+¥500\.00\s+¥0\.00/);
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
      const added = await realname(['sources', 'add', name!, '--type', type!, '--endpoint', endpoint!, '--data', dir], { stdin: faceid });
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
    const set = await realname(['sources', 'set', 'ali', '--concurrency', '4', '--daily-budget-fen', 'none', '--retry-on-timeout', '--credentials', '-', '--data', dir], { stdin: aliyun });
    expect(JSON.parse(set.stdout).settings).toMatchObject({ concurrency: 4, dailyBudgetFen: null, retryOnTimeout: true });
    expect(JSON.parse((await realname(['sources', 'disable', 'ali', '--data', dir])).stdout)).toEqual({ name: 'ali', disabled: true });
    expect((await realname(['sources', '--data', dir])).stdout).toMatch(/ali\s+aliyun\s+disabled/);
    expect(JSON.parse((await realname(['sources', 'enable', 'ali', '--data', dir])).stdout)).toEqual({ name: 'ali', disabled: false });
    const route = await realname(['routes', 'set', 'bankcard3', 'registry,ali', '--data', dir]);
    expect(JSON.parse(route.stdout).route).toEqual([
      { source: 'registry', notFound: 'next' },
      { source: 'ali', notFound: 'answer' },
    ]);
    expect((await realname(['routes', 'set', 'bankcard3', 'registry,sub', '--data', dir])).stderr).toBe('realname: source sub does not answer bankcard3\n');
    expect((await realname(['routes', 'set', 'idcard2', 'ali:next,sub', '--data', dir])).code).toBe(0);
    await realname(['sources', 'remove', 'ali', '--data', dir]);
    expect(JSON.parse((await realname(['routes', 'list', '--data', dir])).stdout)).toEqual({
      bankcard3: [{ source: 'registry', notFound: 'next' }],
      idcard2: [{ source: 'sub', notFound: 'answer' }],
    });
    expect((await realname(['sources', 'show', 'ali', '--data', dir])).stderr).toBe('realname: no source ali\n');
    expect(JSON.parse((await realname(['routes', 'clear', 'idcard2', '--data', dir])).stdout)).toEqual({ kind: 'idcard2', route: 'default' });
  });

  it('purges the cache for an app, and by ID number read from stdin', async () => {
    const dir = data();
    // A store to purge (a purge creates none).
    expect((await realname(['apps', 'create', '--name', 'shop', '--data', dir])).code).toBe(0);
    expect(JSON.parse((await realname(['cache', 'purge', '--app', '1000001', '--data', dir])).stdout)).toMatchObject({ app: '1000001' });
    expect((await realname(['cache', 'purge', '--id-number', '-', '--data', dir], { stdin: '123' })).stderr).toBe('realname: that is not a valid ID number\n');
    expect((await realname(['cache', 'purge', '--id-number', '11010519491231002X', '--data', dir])).code).toBe(2);
  });
});
