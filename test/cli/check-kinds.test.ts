import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../src/core/factors.ts';
import { realname } from '../helpers/cli.ts';

const dirs: string[] = [];
const data = () => {
  const dir = mkdtempSync(join(tmpdir(), 'realname-cli-kinds-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('realname apps --checks with every check kind', () => {
  it('creates and sets apps permitted the bank-card and phone kinds', async () => {
    const dir = data();
    const created = await realname(['apps', 'create', '--name', 'cards', '--checks', 'bankcard2,bankcard4,phone3', '--json', '--data', dir]);
    expect(created.code).toBe(0);
    const { appid } = JSON.parse(created.stdout);
    expect(JSON.parse((await realname(['apps', 'show', appid, '--data', dir])).stdout)).toMatchObject({ checks: ['bankcard2', 'bankcard4', 'phone3'] });
    const set = await realname(['apps', 'set', appid, '--checks', CHECK_KINDS.join(','), '--data', dir]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ checks: [...CHECK_KINDS] });
  });

  it('refuses an unknown kind with usage status 2, naming the kinds it knows', async () => {
    const dir = data();
    const bad = await realname(['apps', 'create', '--name', 'x', '--checks', 'bankcard2,phone4', '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('idcard2, bankcard2, bankcard3, bankcard4, phone3');
    const help = await realname(['apps', 'create', '--help']);
    expect(help.stdout).toContain('bankcard4');
  });
});
