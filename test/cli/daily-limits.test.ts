import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-cli-'));
const json = async (args: string[]) => {
  const run = await realname(args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe('realname apps: identity daily limits', () => {
  it('are off by default, set on create or with set, and lifted with "unlimited"', async () => {
    const dir = data();
    const { appid } = await json(['apps', 'create', '--name', 'kyc', '--json', '--data', dir]);
    expect(await json(['apps', 'show', String(appid), '--data', dir])).toMatchObject({ dailyPerId: null, dailyPerName: null });
    expect(await json(['apps', 'set', String(appid), '--daily-per-id', '5', '--daily-per-name', '20', '--data', dir])).toMatchObject({ dailyPerId: 5, dailyPerName: 20 });
    expect(await json(['apps', 'set', String(appid), '--daily-per-id', 'unlimited', '--data', dir])).toMatchObject({ dailyPerId: null, dailyPerName: 20 });

    const limited = await json(['apps', 'create', '--name', 'strict', '--daily-per-id', '3', '--daily-per-name', '4', '--json', '--data', dir]);
    expect(await json(['apps', 'show', String(limited.appid), '--data', dir])).toMatchObject({ dailyPerId: 3, dailyPerName: 4 });
  });

  it('refuses a limit that is not a whole number of at least 1 (exit 2)', async () => {
    const dir = data();
    for (const bad of ['0', '-1', 'many', '1.5']) {
      expect((await realname(['apps', 'create', '--name', 'x', '--daily-per-id', bad, '--data', dir])).code).toBe(2);
    }
    const { appid } = await json(['apps', 'create', '--name', 'y', '--json', '--data', dir]);
    expect((await realname(['apps', 'set', String(appid), '--daily-per-name', '0', '--data', dir])).code).toBe(2);
  });
});
