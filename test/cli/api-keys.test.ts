import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRealname } from '@realname/client';
import { realname, realnameListening } from '../helpers/cli.ts';
import type { ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('realname apps keys', () => {
  it('adds a key shown once, lists it without the key, revokes it: a running serve refuses it within a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-keys-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'rest', '--json', '--data', dir])).stdout);
    const added = await realname(['apps', 'keys', 'add', appid, '--json', '--data', dir]);
    expect(added.code).toBe(0);
    const made = JSON.parse(added.stdout);
    expect(Object.keys(made).sort()).toEqual(['key', 'keyId']);
    expect(made.key).toMatch(new RegExp(`^rn_live_${made.keyId}_[A-Za-z0-9]{32}$`));

    const listed = await realname(['apps', 'keys', 'list', appid, '--json', '--data', dir]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ appid, keys: [{ keyId: made.keyId, revoked: false }] });
    expect(listed.stdout).not.toContain(made.key);
    // The store holds a keyed hash, never the key.
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file)).includes(made.key.slice(-32))).toBe(false);

    const serve = await realnameListening(['serve', '--port', '0', '--data', dir]);
    children.push(serve.child);
    const client = createRealname({ baseUrl: serve.url, apiKey: made.key });
    expect(await client.check({ kind: 'idcard2', factors: { name: '张三', idNumber: '1' } })).toMatchObject({ ok: true, data: { verdict: 'invalid' } });

    const revoked = await realname(['apps', 'keys', 'revoke', appid, made.keyId, '--json', '--data', dir]);
    expect(revoked.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await client.check({ kind: 'idcard2', factors: { name: '张三', idNumber: '1' } })).toMatchObject({ ok: false, status: 401, problem: { type: 'urn:realname:problem:api_key_revoked' } });

    const again = await realname(['apps', 'keys', 'revoke', appid, 'nokey', '--data', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has no API key nokey');
  });
});
