import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-cli-'));

describe('realname apps', () => {
  it('creates an app and prints its credentials as one JSON object', async () => {
    const dir = data();
    const run = await realname(['apps', 'create', '--name', 'shop', '--qps', '50', '--quota', '1000', '--checks', 'idcard2', '--bucket', 'kyc', '--ip', '10.0.0.0/8', '--json', '--data', dir]);
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout);
    expect(created).toMatchObject({ name: 'shop', bucket: 'kyc' });
    expect(created.appid).toMatch(/^\d{10}$/);
    expect(created.secretId).toMatch(/^AKID\w{32}$/);
    expect(created.secretKey).toMatch(/^\w{32}$/);
    expect(created.appkey).toMatch(/^[0-9a-f]{32}$/);
    // the master key is created on first use, readable by its owner only
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);

    const shown = await realname(['apps', 'show', created.appid, '--json', '--data', dir]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ appid: created.appid, qps: 50, quota: 1000, checks: ['idcard2'], ip: ['10.0.0.0/8'], suspended: false });
    // secrets are shown once, at creation
    expect(shown.stdout).not.toContain(created.secretKey);
    expect(shown.stdout).not.toContain(created.appkey);
  });

  it('defaults to unlimited QPS and quota, every check and any IP', async () => {
    const dir = data();
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'open', '--json', '--data', dir])).stdout);
    expect(JSON.parse((await realname(['apps', 'show', appid, '--json', '--data', dir])).stdout)).toMatchObject({ qps: null, quota: null, checks: null, ip: null });
  });

  it('sets limits, suspends, resumes and lists', async () => {
    const dir = data();
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'a', '--json', '--data', dir])).stdout);
    expect(JSON.parse((await realname(['apps', 'set', appid, '--quota', '7', '--qps', '3', '--json', '--data', dir])).stdout)).toMatchObject({ quota: 7, qps: 3 });
    expect(JSON.parse((await realname(['apps', 'set', appid, '--qps', 'unlimited', '--json', '--data', dir])).stdout)).toMatchObject({ quota: 7, qps: null });
    expect(JSON.parse((await realname(['apps', 'suspend', appid, '--json', '--data', dir])).stdout).suspended).toBe(true);
    expect(JSON.parse((await realname(['apps', 'resume', appid, '--json', '--data', dir])).stdout).suspended).toBe(false);
    const list = JSON.parse((await realname(['apps', 'list', '--json', '--data', dir])).stdout);
    expect(list.map((a: { appid: string }) => a.appid)).toEqual([appid]);
  });

  it('adds and revokes secrets', async () => {
    const dir = data();
    const created = JSON.parse((await realname(['apps', 'create', '--name', 'a', '--json', '--data', dir])).stdout);
    const added = JSON.parse((await realname(['apps', 'secrets', 'add', created.appid, '--json', '--data', dir])).stdout);
    expect(added.secretId).toMatch(/^AKID/);
    expect((await realname(['apps', 'secrets', 'revoke', created.appid, created.secretId, '--data', dir])).code).toBe(0);
    const shown = JSON.parse((await realname(['apps', 'show', created.appid, '--json', '--data', dir])).stdout);
    expect(shown.secrets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ secretId: created.secretId, revoked: true }),
        expect.objectContaining({ secretId: added.secretId, revoked: false }),
      ]),
    );
    const unknown = await realname(['apps', 'secrets', 'revoke', created.appid, 'AKIDnope', '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no secret');
  });

  it('answers usage errors with exit status 2 and a message', async () => {
    const dir = data();
    const missing = await realname(['apps', 'create', '--data', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--name");
    const badQps = await realname(['apps', 'create', '--name', 'x', '--qps', 'fast', '--data', dir]);
    expect(badQps.code).toBe(2);
    const badCheck = await realname(['apps', 'create', '--name', 'x', '--checks', 'idcard9', '--data', dir]);
    expect(badCheck.code).toBe(2);
    const badIp = await realname(['apps', 'create', '--name', 'x', '--ip', '10.0.0.0/99', '--data', dir]);
    expect(badIp.code).toBe(2);
    expect((await realname(['apps', 'show', '1259999999', '--data', dir])).code).toBe(1);
  });

  it('takes the master key from REALNAME_MASTER_KEY and refuses a malformed one', async () => {
    const dir = data();
    const key = Buffer.alloc(32, 7).toString('base64');
    expect((await realname(['apps', 'create', '--name', 'a', '--json', '--data', dir], { env: { REALNAME_MASTER_KEY: key } })).code).toBe(0);
    const bad = await realname(['apps', 'list', '--data', dir], { env: { REALNAME_MASTER_KEY: 'c2hvcnQ=' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^realname: .*32 bytes/);
    expect(bad.stderr).not.toContain('    at ');
  });

  it('says in one line when the store cannot be reached', async () => {
    const run = await realname(['apps', 'list', '--store', 'postgres', '--postgres-url', 'postgres://127.0.0.1:1/test', '--data', data()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('realname: cannot reach the store: connect ECONNREFUSED 127.0.0.1:1\n');
  });

  it('prints help', async () => {
    const help = await realname(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'demo', 'apps', 'registry', 'inspect']) expect(help.stdout).toContain(command);
  });
});
