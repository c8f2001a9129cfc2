import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, exited, realname } from '../helpers/cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realname-files-'));
  dirs.push(dir);
  return dir;
}

async function generated(count: number, seed: number): Promise<string[]> {
  return (await realname(['registry', 'generate', '--count', String(count), '--seed', String(seed)])).stdout.trim().split('\n');
}

const count = async (dir: string) => (await realname(['registry', 'count', '--data', dir])).stdout.trim();

/** Runs the command on a pseudo-terminal (as a person at a shell would), typing `answer` when asked. */
function onTerminal(args: string[], answer: string): Promise<{ screen: string; code: number | null }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d) => {
    screen += d;
    if (screen.includes('[y/N]') && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
  });
  return exited(child).then((code) => ({ screen: screen.replace(/\r/g, ''), code }));
}

describe('realname registry import: all or nothing per file', () => {
  it('imports nothing from a file with a malformed line, says which, and writes no rejects file', async () => {
    const dir = dataDir();
    const rows = await generated(30, 2);
    const file = join(dir, 'people.csv');
    // line 26: a quoted field never closed — after 24 good rows, a batch's worth and more
    writeFileSync(file, `${[...rows.slice(0, 25), `"${rows[25]}`, ...rows.slice(26)].join('\n')}\n`);
    expect((await realname(['apps', 'create', '--name', 'a', '--data', dir])).code).toBe(0);
    const run = await realname(['registry', 'import', file, '--rejects', join(dir, 'rejects.csv'), '--data', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^realname: ${file}: line 26: malformed CSV: a quoted field that starts here is never closed; nothing was imported\\n$`));
    expect(run.stdout).toBe('');
    expect(await count(dir)).toBe('0');
    expect(existsSync(join(dir, 'rejects.csv'))).toBe(false);
    expect(existsSync(join(dir, 'rejects.csv.partial'))).toBe(false);

    // a JSONL line that is no JSON: the same
    const jsonl = join(dir, 'people.jsonl');
    writeFileSync(jsonl, '{"name":"张三","idNumber":"11010519491231002X"}\n{"name": "李\n');
    const broken = await realname(['registry', 'import', jsonl, '--data', dir]);
    expect(broken.stderr).toBe(`realname: ${jsonl}: line 2: malformed (broken JSON); nothing was imported\n`);
    expect(await count(dir)).toBe('0');
  });

  it('imports the rows that validate and writes the ones that do not to the rejects file, never a value', async () => {
    const dir = dataDir();
    const rows = await generated(12, 4);
    const bad = rows[5]!.split(',');
    bad[1] = `${bad[1]!.slice(0, 17)}${bad[1]!.endsWith('1') ? '2' : '1'}`;
    const file = join(dir, 'people.csv');
    writeFileSync(file, `${[...rows.slice(0, 5), bad.join(','), ...rows.slice(6)].join('\n')}\n`);
    const run = await realname(['registry', 'import', file, '--rejects', join(dir, 'rejects.csv'), '--json', '--data', dir]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ read: 12, imported: 11, rejected: 1, firstRejects: [{ line: 6, field: 'idNumber', reason: 'checksum' }] });
    const rejects = readFileSync(join(dir, 'rejects.csv'), 'utf8');
    expect(rejects).toBe('line,field,reason\n6,idNumber,checksum\n');
    expect(await count(dir)).toBe('11');
  });

  it('asks before --replace on a terminal, and replaces only on yes', async () => {
    const dir = dataDir();
    const rows = await generated(6, 8);
    const file = join(dir, 'people.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    expect((await realname(['registry', 'import', file, '--data', dir])).code).toBe(0);
    const fewer = join(dir, 'fewer.csv');
    writeFileSync(fewer, `${rows.slice(0, 3).join('\n')}\n`);

    const no = await onTerminal(['registry', 'import', fewer, '--replace', '--data', dir], 'n');
    expect(no.screen).toContain(`Replace the whole registry (6 rows) with ${fewer}? [y/N]`);
    expect(no.screen).toContain('realname: not replaced: nothing was imported');
    expect(no.code).toBe(1);
    expect(await count(dir)).toBe('6');

    const yes = await onTerminal(['registry', 'import', fewer, '--replace', '--data', dir], 'yes');
    expect(yes.screen).toContain('read 2, imported 2');
    expect(yes.code).toBe(0);
    expect(await count(dir)).toBe('2');
  });
});

describe('realname registry remove --id-number -', () => {
  it('removes the people listed one a line, and reports each line masked', async () => {
    const dir = dataDir();
    const rows = await generated(5, 6);
    const file = join(dir, 'people.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    expect((await realname(['registry', 'import', file, '--data', dir])).code).toBe(0);
    const ids = rows.slice(1).map((r) => r.split(',')[1]!);
    const stdin = [ids[0], ids[1], '', 'not an id', ids[0], `${ids[2]!.slice(0, 17)}${ids[2]!.endsWith('1') ? '2' : '1'}`].join('\n');
    const run = await realname(['registry', 'remove', '--id-number', '-', '--data', dir], { stdin });
    const mask = (id: string) => `${id.slice(0, 4)}${'*'.repeat(10)}${id.slice(-4)}`;
    const badMask = mask(`${ids[2]!.slice(0, 17)}${ids[2]!.endsWith('1') ? '2' : '1'}`);
    expect(run.stdout).toBe(
      [
        `line 1 (${mask(ids[0]!)}): removed 1 row`,
        `line 2 (${mask(ids[1]!)}): removed 1 row`,
        'line 4 (9 characters): not a valid ID number (length); nothing removed',
        `line 5 (${mask(ids[0]!)}): not on file`,
        `line 6 (${badMask}): not a valid ID number (checksum); nothing removed`,
        'removed 2 row(s); 1 not on file, 2 invalid',
        '',
      ].join('\n'),
    );
    for (const id of ids) expect(run.stdout + run.stderr).not.toContain(id);
    expect(run.code).toBe(1);
    expect(await count(dir)).toBe('3');
    const json = await realname(['registry', 'remove', '--id-number', '-', '--json', '--data', dir], { stdin: `${ids[2]}\n` });
    expect(JSON.parse(json.stdout)).toEqual({ removed: 1, notFound: 0, invalid: 0, lines: [{ line: 1, idNumber: mask(ids[2]!), removed: 1 }] });
    expect(json.code).toBe(0);
  });

  it('never creates a store', async () => {
    const dir = join(dataDir(), 'typo');
    const run = await realname(['registry', 'remove', '--id-number', '-', '--data', dir], { stdin: '11010519491231002X\n' });
    expect(run.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });
});
