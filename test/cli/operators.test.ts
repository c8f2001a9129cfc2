import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-operators-'));
const PASSWORD = 'operators test password';

describe('realname operators', () => {
  it('adds operators with a password from stdin, kept as an scrypt hash; lists and removes them', async () => {
    const dir = data();
    const added = await realname(['operators', 'add', 'wang', '--role', 'admin', '--json', '--data', dir], { stdin: `${PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({ name: 'wang', role: 'admin' });
    expect(added.stderr).toContain('created a new store');
    expect((await realname(['operators', 'add', 'li', '--role', 'viewer', '--data', dir], { stdin: PASSWORD })).code).toBe(0);
    const list = JSON.parse((await realname(['operators', 'list', '--json', '--data', dir])).stdout) as Array<{ name: string; role: string }>;
    expect(list.map(({ name, role }) => [name, role])).toEqual([['li', 'viewer'], ['wang', 'admin']]);
    const db = new Database(join(dir, 'realname.db'), { readonly: true });
    const hashes = db.prepare('SELECT password_hash FROM operators').pluck().all() as string[];
    db.close();
    expect(hashes.every((h) => h.startsWith('scrypt$') && !h.includes(PASSWORD))).toBe(true);
    expect((await realname(['operators', 'passwd', 'li', '--data', dir], { stdin: 'another long password' })).code).toBe(0);
    expect((await realname(['operators', 'remove', 'li', '--data', dir])).stdout).toBe('operator li removed\n');
    expect(JSON.parse((await realname(['operators', 'list', '--json', '--data', dir])).stdout)).toHaveLength(1);
  });

  it('refuses a short password, a taken name, a bad name or role, each in one line', async () => {
    const dir = data();
    const short = await realname(['operators', 'add', 'wang', '--role', 'admin', '--data', dir], { stdin: 'short\n' });
    expect([short.code, short.stderr]).toEqual([1, 'realname: the password must be at least 12 characters (spaces at either end not counted)\n']);
    // Spaces only (which sign-in takes as no password) or a short one padded with spaces.
    for (const stdin of [' '.repeat(16), '\t \t'.repeat(6) + '\n', '   short     \n']) {
      const blank = await realname(['operators', 'add', 'wang', '--role', 'admin', '--data', dir], { stdin });
      expect([blank.code, blank.stderr]).toEqual([1, expect.stringMatching(/^realname: the password (is blank|must be at least 12 characters)/)]);
    }
    expect((await realname(['operators', 'list', '--data', dir])).stdout).not.toContain('wang');
    expect((await realname(['operators', 'add', 'wang', '--role', 'admin', '--data', dir], { stdin: PASSWORD })).code).toBe(0);
    const taken = await realname(['operators', 'add', 'wang', '--role', 'viewer', '--data', dir], { stdin: PASSWORD });
    expect([taken.code, taken.stderr]).toEqual([1, 'realname: an operator named wang exists (operators passwd wang sets a new password)\n']);
    const badName = await realname(['operators', 'add', 'Wang Wei', '--role', 'viewer', '--data', dir], { stdin: PASSWORD });
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('an operator name is 1-40 lowercase letters');
    const badRole = await realname(['operators', 'add', 'zhao', '--role', 'root', '--data', dir], { stdin: PASSWORD });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('expected viewer or admin');
    const blankPasswd = await realname(['operators', 'passwd', 'wang', '--data', dir], { stdin: ' '.repeat(20) });
    expect([blankPasswd.code, blankPasswd.stderr]).toEqual([1, 'realname: the password is blank: it must be at least 12 characters, not only spaces\n']);
    const missing = await realname(['operators', 'remove', 'nobody', '--data', dir]);
    expect([missing.code, missing.stderr]).toEqual([1, 'realname: no operator nobody\n']);
  });
});
