import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/keys/derive.ts';
import { eventually, tencentCheck, type CreatedApp } from '../helpers/clients.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

const postgresUp = await requireService('postgres');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realname-keys-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A backend for a test: its environment (one fresh PostgreSQL schema, shared by every data dir of the test). */
async function backend(kind: 'sqlite' | 'postgres'): Promise<NodeJS.ProcessEnv> {
  if (kind === 'sqlite') return { REALNAME_STORE: '' };
  const { schema, drop } = await createSchema();
  cleanups.push(drop);
  return { REALNAME_STORE: 'postgres', REALNAME_POSTGRES_URL: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
}

/** Synthetic people as `registry generate` writes them. */
async function people(dir: string, count: number): Promise<{ file: string; rows: { name: string; idNumber: string; bankCard: string }[] }> {
  const file = join(dir, 'people.csv');
  const csv = (await realname(['registry', 'generate', '--count', String(count), '--seed', '5', '--out', file])).code === 0 ? readFileSync(file, 'utf8') : '';
  const rows = csv.trim().split('\n').slice(1).map((line) => {
    const [name, idNumber, bankCard] = line.split(',');
    return { name: name!, idNumber: idNumber!, bankCard: bankCard! };
  });
  return { file, rows };
}

async function serveOn(dir: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  const served = await realnameListening(['serve', '--port', '0', '--data', dir, ...extra], env);
  cleanups.push(async () => {
    served.child.kill('SIGTERM');
    await exited(served.child);
  });
  return served;
}

const keyIds = (dir: string) =>
  readFileSync(join(dir, 'master.key'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => keyIdOf(Buffer.from(l.trim(), 'base64')));

const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe.each(['sqlite', ...(postgresUp ? ['postgres' as const] : [])] as const)('key rotation on %s', (kind) => {
  it('rotates, rewraps and retires while a server keeps answering every check right', async () => {
    const env = await backend(kind);
    const dir = dataDir();
    const { file, rows } = await people(dir, 30);
    expect((await realname(['registry', 'import', file, '--data', dir], { env })).code).toBe(0);
    const app = JSON.parse((await realname(['apps', 'create', '--name', 'shop', '--json', '--data', dir], { env })).stdout) as CreatedApp;
    const [first] = keyIds(dir);
    const { url } = await serveOn(dir, env);
    const person = rows[0]!;
    const stranger = { ...rows[1]!, name: rows[2]!.name };
    expect(await tencentCheck(url, app, person)).toBe(0);

    // rotate: a new key in the key file becomes current; what the old key made stays readable
    const rotated = await realname(['keys', 'rotate', '--json', '--data', dir], { env });
    expect(rotated.code).toBe(0);
    const { previous, current } = JSON.parse(rotated.stdout) as { previous: string; current: string };
    expect(previous).toBe(first);
    expect(keyIds(dir)).toEqual([first, current]);
    const list = JSON.parse((await realname(['keys', 'list', '--json', '--data', dir], { env })).stdout) as { keys: { keyId: string; state: string; registryRows: number; sealed: number }[] };
    expect(list.keys).toEqual([
      expect.objectContaining({ keyId: first, state: 'previous', registryRows: 30, sealed: 2 }),
      expect.objectContaining({ keyId: current, state: 'current', registryRows: 0, sealed: 0 }),
    ]);
    // the running server re-reads the key file: it stays ready and answers from the old key's rows
    await eventually(async () => (await readyz(url)) === 200);
    expect(await tencentCheck(url, app, person)).toBe(0);
    expect(await tencentCheck(url, app, { ...person, bankCard: person.bankCard })).toBe(0);
    expect(await tencentCheck(url, app, stranger)).toBe(-5803);
    // a new app is sealed under the new key, and the running server opens it
    const later = JSON.parse((await realname(['apps', 'create', '--name', 'later', '--json', '--data', dir], { env })).stdout) as CreatedApp;
    expect(await tencentCheck(url, later, person)).toBe(0);
    // importing into a registry that still has rows under the old key would mix keys: refused
    const mixed = await realname(['registry', 'import', file, '--data', dir], { env });
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe(`realname: the registry still holds 30 rows under master key ${first} (rotated out): run realname keys rewrap first, or import the whole registry with --replace\n`);
    // the old key cannot be retired while it protects something
    const early = await realname(['keys', 'retire', first!, '--data', dir], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`key ${first} still protects 30 registry rows and 2 sealed secrets: run realname keys rewrap first`);

    // rewrap: everything moves to the new key; run again, it finds nothing left to do
    const rewrap = await realname(['keys', 'rewrap', '--json', '--data', dir], { env });
    expect(rewrap.code).toBe(0);
    expect(JSON.parse(rewrap.stdout)).toMatchObject({ current, appkeys: 1, secrets: 1, registryRows: 30 });
    expect(JSON.parse((await realname(['keys', 'rewrap', '--json', '--data', dir], { env })).stdout)).toMatchObject({ appkeys: 0, secrets: 0, registryRows: 0 });
    expect(await tencentCheck(url, app, person)).toBe(0);
    expect(await tencentCheck(url, app, stranger)).toBe(-5803);
    // and an import is idempotent again, under the new key
    expect((await realname(['registry', 'import', file, '--data', dir], { env })).stdout).toContain('imported 0, already present 30');

    // retire: the old key leaves the store's use and this node's key file
    const retired = await realname(['keys', 'retire', first!, '--data', dir], { env });
    expect(retired.code).toBe(0);
    expect(keyIds(dir)).toEqual([current]);
    expect((await realname(['keys', 'retire', current, '--data', dir], { env })).stderr).toContain('is the current key');
    expect(await tencentCheck(url, app, person)).toBe(0);
    // a node holding only the new key serves the same answers
    const onlyNew = join(dataDir(), 'master.key');
    copyFileSync(join(dir, 'master.key'), onlyNew);
    const second = await serveOn(dir, env, ['--key-file', onlyNew]);
    expect(await readyz(second.url)).toBe(200);
    expect(await tencentCheck(second.url, app, person)).toBe(0);
    expect(await tencentCheck(second.url, later, stranger)).toBe(-5803);
  });
});

describe.skipIf(!postgresUp)('two data dirs, each with its own master key, against one PostgreSQL schema', () => {
  it('refuses registry import and serve on the node whose key the store does not know, naming both keys', async () => {
    const env = await backend('postgres');
    const a = dataDir();
    const b = dataDir();
    const { file } = await people(a, 10);
    expect((await realname(['registry', 'import', file, '--data', a], { env })).code).toBe(0);
    const [storeKey] = keyIds(a);
    // b has no key at all: told which key the store needs and how to give it
    const none = await realname(['registry', 'count', '--data', b], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `realname: no master key: this store belongs to master key ${storeKey}; copy the key file (${join(b, 'master.key')}) from a node that runs against this store, or set REALNAME_MASTER_KEY to its keys (comma-separated)\n`,
    );
    // b has a key of its own
    const own = randomBytes(32);
    writeFileSync(join(b, 'master.key'), `${own.toString('base64')}\n`, { mode: 0o600 });
    const mismatch = `realname: this store belongs to master key ${storeKey}, but key file ${join(b, 'master.key')} holds key ${keyIdOf(own)}`;
    const imported = await realname(['registry', 'import', file, '--data', b], { env });
    expect(imported.code).toBe(1);
    expect(imported.stderr.split('\n')[0]).toContain(mismatch);
    expect(imported.stdout).toBe('');
    expect((await realname(['registry', 'count', '--data', a], { env })).stdout).toBe('10\n');
    const served = await realname(['serve', '--port', '0', '--data', b], { env });
    expect(served.code).toBe(1);
    expect(served.stderr).not.toContain('listening');
    expect(served.stderr.split('\n')[0]).toContain(mismatch);
    expect(served.stderr).not.toContain('    at ');
    // the store was not touched by b: one key on record
    const keys = JSON.parse((await realname(['keys', 'list', '--json', '--data', a], { env })).stdout) as { keys: unknown[] };
    expect(keys.keys).toHaveLength(1);
  });

  it('add, give every node the ring, rotate: a node given it first stays ready throughout', async () => {
    const env = await backend('postgres');
    const a = dataDir();
    const b = dataDir();
    const { file, rows } = await people(a, 10);
    expect((await realname(['registry', 'import', file, '--data', a], { env })).code).toBe(0);
    const app = JSON.parse((await realname(['apps', 'create', '--name', 'shop', '--json', '--data', a], { env })).stdout) as CreatedApp;
    copyFileSync(join(a, 'master.key'), join(b, 'master.key'));
    const other = await serveOn(b, env);
    const added = JSON.parse((await realname(['keys', 'add', '--json', '--data', a], { env })).stdout) as { keyId: string };
    expect(keyIds(a)).toHaveLength(2);
    // nothing uses the added key yet: b, without it, is still ready
    expect((JSON.parse((await realname(['keys', 'list', '--json', '--data', a], { env })).stdout) as { keys: unknown[] }).keys).toHaveLength(1);
    expect(await readyz(other.url)).toBe(200);
    copyFileSync(join(a, 'master.key'), join(b, 'master.key'));
    const rotated = JSON.parse((await realname(['keys', 'rotate', '--json', '--data', a], { env })).stdout) as { current: string; addedToKeyFile: boolean };
    expect(rotated).toMatchObject({ current: added.keyId, addedToKeyFile: false });
    for (let i = 0; i < 6; i++) {
      expect(await readyz(other.url)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const later = JSON.parse((await realname(['apps', 'create', '--name', 'later', '--json', '--data', a], { env })).stdout) as CreatedApp;
    expect(await tencentCheck(other.url, later, rows[0]!)).toBe(0);
    expect(await tencentCheck(other.url, app, rows[1]!)).toBe(0);
  });

  it('/readyz stops saying ready once the store moves to a key the node lacks, and is ready again once it has it', async () => {
    const env = await backend('postgres');
    const a = dataDir();
    const { file, rows } = await people(a, 10);
    expect((await realname(['registry', 'import', file, '--data', a], { env })).code).toBe(0);
    const app = JSON.parse((await realname(['apps', 'create', '--name', 'shop', '--json', '--data', a], { env })).stdout) as CreatedApp;
    const { url } = await serveOn(a, env);
    expect(await readyz(url)).toBe(200);
    expect(await tencentCheck(url, app, rows[0]!)).toBe(0);
    // another node, holding the store's key, rotates to a key only it has
    const c = dataDir();
    copyFileSync(join(a, 'master.key'), join(c, 'master.key'));
    expect((await realname(['keys', 'rotate', '--data', c], { env })).code).toBe(0);
    await eventually(async () => (await readyz(url)) === 503);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'unavailable' });
    // a check it cannot answer right is "service unavailable" (108/107, never billed), not "no record"
    expect([107, 108]).toContain(await tencentCheck(url, app, rows[1]!));
    // given the key ring, it is ready again without a restart
    copyFileSync(join(c, 'master.key'), join(a, 'master.key'));
    await eventually(async () => (await readyz(url)) === 200);
    expect(await tencentCheck(url, app, rows[1]!)).toBe(0);
  });
});

describe('a store opened with another key file (SQLite)', () => {
  it('refuses every command, naming the store\'s key and the key given', async () => {
    const dir = dataDir();
    expect((await realname(['apps', 'create', '--name', 'a', '--data', dir])).code).toBe(0);
    const [storeKey] = keyIds(dir);
    const other = join(dir, 'other.key');
    const key = randomBytes(32);
    writeFileSync(other, key.toString('base64'));
    for (const args of [['apps', 'list'], ['registry', 'count'], ['keys', 'list']]) {
      const run = await realname([...args, '--data', dir, '--key-file', other]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^realname: this store belongs to master key ${storeKey}, but key file ${other} holds key ${keyIdOf(key)}: `));
    }
    const fromEnv = await realname(['apps', 'list', '--data', dir], { env: { REALNAME_MASTER_KEY: key.toString('base64') } });
    expect(fromEnv.stderr).toContain(`but REALNAME_MASTER_KEY holds key ${keyIdOf(key)}`);
  });
});
