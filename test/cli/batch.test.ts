import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, exited, realname } from '../helpers/cli.ts';

describe('realname batch', () => {
  it('runs a file for an app with plain progress lines off a terminal, writes results in input order, and reports status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-batch-cli-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'bulk', '--json', '--data', dir])).stdout);
    const people = join(dir, 'people.csv');
    await realname(['registry', 'generate', '--count', '30', '--seed', '3', '--out', people]);
    expect((await realname(['registry', 'import', people, '--data', dir])).code).toBe(0);
    const out = join(dir, 'results.jsonl');
    const run = await realname(['batch', 'run', people, '--app', appid, '--kind', 'bankcard3', '--out', out, '--json', '--data', dir]);
    expect(run.code, run.stderr).toBe(0);
    const final = JSON.parse(run.stdout);
    expect(final).toMatchObject({ appid, state: 'done', rows: { total: 30, done: 30 }, counts: { match: 30 } });
    expect(run.stderr).toMatch(/batch [0-9a-f]{32}: 30\/30 rows/);
    const results = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    expect(results.every((r) => r.verdict === 'match')).toBe(true);
    expect(readFileSync(out, 'utf8')).not.toContain(readFileSync(people, 'utf8').split('\n')[1]!.split(',')[1]);

    const status = await realname(['batch', 'status', final.id, '--json', '--data', dir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: final.id, state: 'done' });
    const again = await realname(['batch', 'results', final.id, '--data', dir]);
    expect(again.stdout.trim().split('\n')).toHaveLength(30);
    const cancel = await realname(['batch', 'cancel', final.id, '--json', '--data', dir]);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ state: 'done' });
    const missing = await realname(['batch', 'status', 'f'.repeat(32), '--data', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no batch');
    writeFileSync(join(dir, 'rows.txt'), 'x');
    const unknown = await realname(['batch', 'run', join(dir, 'rows.txt'), '--app', appid, '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--format csv');
  });

  it('says, off a terminal, that a batch out of quota waits for it and how to add it, then goes on once it is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-batch-quota-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'poor', '--quota', '2', '--json', '--data', dir])).stdout);
    const people = join(dir, 'people.csv');
    await realname(['registry', 'generate', '--count', '6', '--seed', '5', '--out', people]);
    expect((await realname(['registry', 'import', people, '--data', dir])).code).toBe(0);
    const out = join(dir, 'results.jsonl');
    const child = spawn(process.execPath, [BIN, 'batch', 'run', people, '--app', appid, '--kind', 'idcard2', '--out', out, '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const said = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/waiting for quota/.test(stderr)) resolve();
      });
    });
    try {
      await said;
      expect(stderr).toContain(`realname apps set ${appid} --quota N`);
      expect((await realname(['apps', 'set', appid, '--quota', '100', '--data', dir])).code).toBe(0);
      expect(await exited(child), stderr).toBe(0);
    } finally {
      child.kill();
    }
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).verdict)).toEqual(Array(6).fill('match'));
  });

  it('refuses an --out that cannot be written before a row is checked or billed (exit 2, naming the path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-batch-out-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'bulk', '--json', '--data', dir])).stdout);
    const people = join(dir, 'people.csv');
    await realname(['registry', 'generate', '--count', '5', '--seed', '4', '--out', people]);
    expect((await realname(['registry', 'import', people, '--data', dir])).code).toBe(0);
    for (const out of [join(dir, 'nodir', 'x.jsonl'), dir]) {
      const run = await realname(['batch', 'run', people, '--app', appid, '--kind', 'idcard2', '--out', out, '--data', dir]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--out ${out}`);
    }
    const audit = await realname(['audit', 'search', '--app', appid, '--json', '--data', dir]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout.trim()).toBe('');
  });
});
