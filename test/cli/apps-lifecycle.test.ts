import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { eventually, submailCheck, tencentCheck, type CreatedApp } from '../helpers/clients.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realname-apps-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function create(dir: string, ...flags: string[]): Promise<CreatedApp> {
  const run = await realname(['apps', 'create', '--json', '--data', dir, ...flags]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CreatedApp;
}

async function serveOn(dir: string): Promise<string> {
  const { child, url } = await realnameListening(['serve', '--port', '0', '--data', dir]);
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited(child);
  });
  return url;
}

const synthetic = { name: '张三', idNumber: '11010519491231002X' };

describe('realname apps: the lifecycle', () => {
  it('renames apps, keeps names unique, and deletes an app (--force once it has checks in the audit)', async () => {
    const dir = dataDir();
    const a = await create(dir, '--name', 'shop');
    const b = await create(dir, '--name', 'bank');
    const renamed = await realname(['apps', 'rename', a.appid, 'store', '--json', '--data', dir]);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ appid: a.appid, name: 'store' });
    const clash = await realname(['apps', 'rename', b.appid, 'store', '--data', dir]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('realname: an app named "store" already exists: names are unique; choose another\n');
    expect((await realname(['apps', 'create', '--name', 'shop', '--data', dir])).code).toBe(0);

    // b has made a check: the audit log names it
    const store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
    store.audit.write({ checkId: 'c'.repeat(32), at: Date.UTC(2026, 0, 2), appid: b.appid, dialect: 'tencent-image', kind: 'idcard2', verdict: 'match', refusal: null, code: '0', masked: {}, source: 'registry', billed: true, latencyMs: 1 });
    await store.close();
    const refused = await realname(['apps', 'delete', b.appid, '--data', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`realname: app ${b.appid} has checks in the audit log (the latest at 2026-01-02T00:00:00.000Z); they stay, with its appid: pass --force to delete it anyway\n`);
    expect((await realname(['apps', 'delete', b.appid, '--force', '--data', dir])).stdout).toBe(`app ${b.appid} deleted\n`);
    expect((await realname(['apps', 'delete', a.appid, '--json', '--data', dir])).stdout).toBe(`${JSON.stringify({ appid: a.appid, deleted: true })}\n`);
    const names = (JSON.parse((await realname(['apps', 'list', '--json', '--data', dir])).stdout) as { name: string }[]).map((x) => x.name);
    expect(names).toEqual(['shop']);
    expect((await realname(['apps', 'show', b.appid, '--data', dir])).code).toBe(1);
  });

  it('prints text unless asked for --json, on every command that prints', async () => {
    const dir = dataDir();
    const created = await realname(['apps', 'create', '--name', 'shop', '--qps', '1,000', '--quota', '50', '--data', dir]);
    expect(created.stdout).toMatch(/^app \d{10} \(shop\) created\n {2}bucket {5}default\n {2}secretId {3}AKID\w+\n/);
    const appid = /^app (\d{10})/.exec(created.stdout)![1]!;
    const shown = await realname(['apps', 'show', appid, '--data', dir]);
    expect(shown.stdout).toContain(
      `app ${appid} (shop)\n  buckets        default (default)\n  qps            1,000\n  quota          50 left\n  checks         all\n  ip             any\n` +
        '  daily per id   unlimited\n  daily per name unlimited\n  replay guard   on\n',
    );
    expect(shown.stdout).toMatch(/ {2}secret {9}AKID\w+, added /);
    // apps set prints the daily limits it set in text too, not only with --json
    const set = await realname(['apps', 'set', appid, '--daily-per-id', '5', '--daily-per-name', '20', '--data', dir]);
    expect(set.stdout).toContain('  daily per id   5 a day\n  daily per name 20 a day\n');
    expect((await realname(['apps', 'list', '--data', dir])).stdout).toMatch(/^appid {7}name {2}qps {4}quota {2}checks {2}state\n\d{10} {2}shop {2}1,000 {2}50 {5}all {5}active\n$/);
    expect((await realname(['apps', 'suspend', appid, '--data', dir])).stdout).toMatch(/^app \d{10} \(shop\) — suspended\n/);
    const secret = await realname(['apps', 'secrets', 'add', appid, '--data', dir]);
    expect(secret.stdout).toMatch(/^app \d{10}: new secret\n {2}secretId {3}AKID\w{32}\n {2}secretKey {2}\w{32}\nKeep secretKey now/);
    const secretJson = JSON.parse((await realname(['apps', 'secrets', 'add', appid, '--json', '--data', dir])).stdout);
    expect(secretJson).toMatchObject({ appid, secretId: expect.stringMatching(/^AKID/), secretKey: expect.any(String) });
    expect((await realname(['apps', 'secrets', 'revoke', appid, secretJson.secretId, '--data', dir])).stdout).toBe(`app ${appid}: secret ${secretJson.secretId} revoked\n`);
    expect((await realname(['registry', 'count', '--data', dir])).stdout).toBe('0\n');
    expect((await realname(['registry', 'count', '--json', '--data', dir])).stdout).toBe('{"rows":0}\n');
  });

  it('rotates the SUBMAIL appkey, switches the replay guard, and edits buckets — seen by a running server', async () => {
    const dir = dataDir();
    const app = await create(dir, '--name', 'shop');
    const url = await serveOn(dir);
    const code = async (appkey: string, timestamp?: number) => (await submailCheck(url, { appid: app.appid, appkey }, synthetic, timestamp)).code;
    // not on file, but signed right: a verdict ("success"), not 1204
    expect((await submailCheck(url, app, synthetic)).status).toBe('success');

    const rotated = JSON.parse((await realname(['apps', 'appkey', 'rotate', app.appid, '--json', '--data', dir])).stdout) as { appkey: string };
    expect(rotated.appkey).toMatch(/^[0-9a-f]{32}$/);
    expect(rotated.appkey).not.toBe(app.appkey);
    await eventually(async () => (await code(app.appkey)) === '1204');
    expect((await submailCheck(url, { appid: app.appid, appkey: rotated.appkey }, synthetic)).status).toBe('success');
    const shown = await realname(['apps', 'show', app.appid, '--json', '--data', dir]);
    expect(shown.stdout).not.toContain(rotated.appkey);

    // the same signed request twice in its window: refused with the guard on, answered with it off
    // (a timestamp of its own, inside the window: no request above was signed with it)
    const replayed = Math.floor(Date.now() / 1000) - 7;
    expect((await submailCheck(url, { appid: app.appid, appkey: rotated.appkey }, synthetic, replayed)).status).toBe('success');
    expect(await code(rotated.appkey, replayed)).toBe('1220');
    const off = await realname(['apps', 'set', app.appid, '--replay-guard', 'off', '--json', '--data', dir]);
    expect(JSON.parse(off.stdout)).toMatchObject({ replayGuard: false });
    await eventually(async () => (await submailCheck(url, { appid: app.appid, appkey: rotated.appkey }, synthetic, replayed)).status === 'success');

    // buckets: a request for a bucket the app lacks gets 16 until it is added
    expect(await tencentCheck(url, app, synthetic, { bucket: 'kyc' })).toBe(16);
    const added = await realname(['apps', 'buckets', 'add', app.appid, 'kyc', '--json', '--data', dir]);
    expect(JSON.parse(added.stdout)).toMatchObject({ buckets: ['default', 'kyc'] });
    await eventually(async () => (await tencentCheck(url, app, synthetic, { bucket: 'kyc' })) === -5807);
    expect((await realname(['apps', 'buckets', 'add', app.appid, 'kyc', '--data', dir])).stderr).toBe(`realname: app ${app.appid} already has bucket kyc\n`);
    expect((await realname(['apps', 'buckets', 'remove', app.appid, 'default', '--data', dir])).stderr).toBe(
      `realname: bucket default is app ${app.appid}'s default bucket and cannot be removed\n`,
    );
    expect(JSON.parse((await realname(['apps', 'buckets', 'remove', app.appid, 'kyc', '--json', '--data', dir])).stdout)).toMatchObject({ buckets: ['default'] });
    await eventually(async () => (await tencentCheck(url, app, synthetic, { bucket: 'kyc' })) === 16);
    expect((await realname(['apps', 'buckets', 'add', app.appid, 'Not_A_Bucket', '--data', dir])).code).toBe(1);
  });

  it('takes one rule per limit everywhere: unlimited or a whole number in range', async () => {
    const dir = dataDir();
    const app = await create(dir, '--name', 'shop', '--qps', 'unlimited', '--quota', '1_000');
    const set = async (...flags: string[]) => JSON.parse((await realname(['apps', 'set', app.appid, '--json', '--data', dir, ...flags])).stdout);
    expect(await set('--qps', '1000000')).toMatchObject({ qps: 1_000_000, quota: 1000 });
    expect(await set('--quota', '0')).toMatchObject({ quota: 0 });
    expect(await set('--quota', '1000000000000', '--qps', '1')).toMatchObject({ quota: 1e12, qps: 1 });
    expect(await set('--quota', 'unlimited', '--qps', 'unlimited')).toMatchObject({ quota: null, qps: null });
    for (const [flag, value] of [['--qps', '1000001'], ['--qps', '1.5'], ['--quota', '-1'], ['--quota', 'lots']]) {
      expect((await realname(['apps', 'set', app.appid, flag!, value!, '--data', dir])).code).toBe(2);
    }
  });
});
