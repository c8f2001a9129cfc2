import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

/** No silent new stores: reading never creates one; creating says so. */

const postgresUp = await requireService('postgres');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realname-stores-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const READ_ONLY: string[][] = [
  ['apps', 'list'],
  ['apps', 'show', '1250000000'],
  ['apps', 'suspend', '1250000000'],
  ['apps', 'set', '1250000000', '--qps', '5'],
  ['registry', 'count'],
  ['keys', 'list'],
  ['keys', 'add'],
  ['keys', 'rotate'],
];

describe('SQLite: a data dir that is not there', () => {
  it('is never created by a command that reads or changes what exists', async () => {
    const dir = join(scratch(), 'typo');
    for (const args of READ_ONLY) {
      const run = await realname([...args, '--data', dir]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/^realname: no store at .*typo \(no realname\.db there\): check --data; /);
      expect(existsSync(dir)).toBe(false);
    }
    const removed = await realname(['registry', 'remove', '--id-number', '-', '--data', dir], { stdin: '11010519491231002X\n' });
    expect(removed.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('is created by apps create and registry import, each saying so once', async () => {
    const dir = join(scratch(), 'new');
    const created = await realname(['apps', 'create', '--name', 'shop', '--data', dir]);
    expect(created.stderr).toBe(`realname: created a new store at ${dir} with a new master key (${join(dir, 'master.key')})\n`);
    expect((await realname(['apps', 'create', '--name', 'bank', '--data', dir])).stderr).toBe('');
    const other = join(scratch(), 'other');
    const key = Buffer.alloc(32, 3).toString('base64');
    const imported = await realname(['registry', 'import', '-', '--format', 'csv', '--data', other], { stdin: 'name,idNumber\n', env: { REALNAME_MASTER_KEY: key } });
    expect(imported.stderr).toMatch(new RegExp(`^realname: created a new store at ${other} with master key [0-9a-f]{8} from REALNAME_MASTER_KEY\\n$`));
    expect(existsSync(join(other, 'master.key'))).toBe(false);
  });

  it('names the demo\'s own data dir in its help', async () => {
    const help = await realname(['demo', '--help']);
    expect(help.stdout).toMatch(/--data <dir>\s+data directory: .*\(default\s+\.\/demo-data; env\s+REALNAME_DATA\)/s);
    expect((await realname(['serve', '--help'])).stdout).toMatch(/\(default \.\/data;\s+env\s+REALNAME_DATA\)/);
  });
});

async function tables(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
    return rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresUp)('PostgreSQL: a schema without Realname\'s tables', () => {
  it('gets no tables from a command that reads, and gets them from one that creates, which says so', async () => {
    const { schema, drop } = await createSchema();
    cleanups.push(drop);
    const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { REALNAME_STORE: 'postgres', REALNAME_POSTGRES_URL: url };
    const dir = scratch();
    for (const args of READ_ONLY) {
      const run = await realname([...args, '--data', dir], { env });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toBe(`realname: no store at ${url} (no Realname tables): check --postgres-url and its search_path; realname serve --init, realname apps create or realname registry import create one\n`);
    }
    expect(await tables(schema)).toEqual([]);
    expect(existsSync(join(dir, 'master.key'))).toBe(false);
    const created = await realname(['apps', 'create', '--name', 'shop', '--data', dir], { env });
    expect(created.stderr).toBe(`realname: created a new store at ${url} with a new master key (${join(dir, 'master.key')})\n`);
    expect(await tables(schema)).toEqual(expect.arrayContaining(['apps', 'keys', 'registry', 'schema_version']));
  });

  it('makes a new SQLite store readable by its owner alone (0600, its -wal and -shm too), whatever the umask', async () => {
    const dir = join(scratch(), 'data');
    expect((await realname(['apps', 'create', '--name', 'shop', '--data', dir])).code).toBe(0);
    const files = readdirSync(dir).filter((f) => f.startsWith('realname.db'));
    expect(files).toContain('realname.db');
    for (const file of files) expect([file, (statSync(join(dir, file)).mode & 0o777).toString(8)]).toEqual([file, '600']);
  });
});
