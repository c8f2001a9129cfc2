import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realname } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-registry-'));

describe('realname registry', () => {
  it('generates the same synthetic identities for the same seed, and others for another', async () => {
    const a = await realname(['registry', 'generate', '--count', '5', '--seed', '42']);
    const b = await realname(['registry', 'generate', '--count', '5', '--seed', '42']);
    const c = await realname(['registry', 'generate', '--count', '5', '--seed', '43']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    const lines = a.stdout.trim().split('\n');
    expect(lines[0]).toBe('name,idNumber,bankCard,phone');
    expect(lines).toHaveLength(6);
  });

  it('imports generated CSV, reports rejects with line numbers (never values), and is idempotent', async () => {
    const dir = data();
    const file = join(dir, 'people.csv');
    const generated = (await realname(['registry', 'generate', '--count', '20', '--seed', '1'])).stdout.trim().split('\n');
    const broken = generated[3]!.split(',');
    broken[1] = broken[1]!.slice(0, 17) + (broken[1]!.endsWith('0') ? '1' : '0'); // wrong check digit
    const rows = [...generated.slice(0, 3), broken.join(','), ...generated.slice(4)];
    writeFileSync(file, `${rows.join('\n')}\n`);

    const first = await realname(['registry', 'import', file, '--rejects', join(dir, 'rejects.csv'), '--data', dir]);
    expect(first.stdout).toContain('read 20, imported 19, already present 0, rejected 1');
    expect(first.stdout).toMatch(/line 4: .*checksum/);
    expect(first.code).toBe(1);
    const rejects = readFileSync(join(dir, 'rejects.csv'), 'utf8');
    expect(rejects).toMatch(/^line,field,reason\n4,idNumber,checksum/);
    expect(rejects).not.toContain(broken[1]);

    const again = await realname(['registry', 'import', file, '--data', dir]);
    expect(again.stdout).toContain('imported 0, already present 19, rejected 1');
    expect((await realname(['registry', 'count', '--data', dir])).stdout.trim()).toBe('19');
  });

  it('reads stdin with an explicit format, replaces atomically, and removes one person read from stdin', async () => {
    const dir = data();
    const csv = (await realname(['registry', 'generate', '--count', '10', '--seed', '9'])).stdout;
    expect((await realname(['registry', 'import', '-', '--format', 'csv', '--data', dir], { stdin: csv })).code).toBe(0);
    const fewer = csv.trim().split('\n').slice(0, 4).join('\n');
    const replaced = await realname(['registry', 'import', '-', '--format', 'csv', '--replace', '--yes', '--data', dir], { stdin: fewer });
    expect(replaced.stdout).toContain('imported 3');
    expect((await realname(['registry', 'count', '--data', dir])).stdout.trim()).toBe('3');

    const idNumber = fewer.split('\n')[1]!.split(',')[1]!;
    const removed = await realname(['registry', 'remove', '--id-number', '-', '--data', dir], { stdin: `${idNumber}\n` });
    expect(removed.stdout).toContain('removed 1 row');
    expect((await realname(['registry', 'count', '--data', dir])).stdout.trim()).toBe('2');
    expect((await realname(['registry', 'remove', '--id-number', '-', '--data', dir], { stdin: idNumber })).code).toBe(1);
    // the value never goes on the command line
    expect((await realname(['registry', 'remove', '--id-number', idNumber, '--data', dir])).code).toBe(2);
  });

  it('refuses a file with an unknown column or no format, in one line', async () => {
    const dir = data();
    const file = join(dir, 'people.txt');
    writeFileSync(file, 'name,idNumber,shoeSize\n');
    const noFormat = await realname(['registry', 'import', file, '--data', dir]);
    expect(noFormat.code).toBe(1);
    expect(noFormat.stderr).toMatch(/--format/);
    const unknown = await realname(['registry', 'import', file, '--format', 'csv', '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^realname: .*shoeSize/);
    const missing = await realname(['registry', 'import', join(dir, 'nope.csv'), '--data', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`realname: no such file: ${join(dir, 'nope.csv')}\n`);
  });
});

describe('realname inspect', () => {
  it('reads a value from stdin, prints JSON and exits 0 when valid, 1 when invalid', async () => {
    const valid = await realname(['inspect', '--json', '-'], { stdin: '11010519491231002X\n' });
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ kind: 'idNumber', valid: true, sex: 'F', birthDate: '1949-12-31' });
    const invalid = await realname(['inspect', '--json', '110105194912310021']);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ valid: false, reason: 'checksum' });
    expect((await realname(['inspect', '--kind', 'passport', 'x'])).code).toBe(2);
  });
});
