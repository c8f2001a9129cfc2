import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, realname, realnameListening } from '../helpers/cli.ts';

/**
 * A batch on SQLite runs under a node's 30 s lease. A `serve` stopped cleanly (SIGTERM) gives the lease
 * back, so the batch goes on as soon as a node starts again — not half a minute later when it lapses.
 */

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('a batch across a clean stop', () => {
  it('is given back by the stopping node: not leased to anyone, unfinished, and finished by the next', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-batch-drain-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'bulk', '--json', '--data', dir])).stdout);
    const { key } = JSON.parse((await realname(['apps', 'keys', 'add', appid, '--json', '--data', dir])).stdout);
    const people = join(dir, 'people.csv');
    expect((await realname(['registry', 'generate', '--count', '300', '--seed', '9', '--out', people])).code).toBe(0);
    expect((await realname(['registry', 'import', people, '--data', dir])).code).toBe(0);
    // 3,000 rows (chunks of 1,000) at 300 a second: ten seconds of work, stopped after its first chunk.
    const [header, ...rows] = readFileSync(people, 'utf8').trim().split('\n');
    const upload = [header, ...Array.from({ length: 10 }, () => rows).flat()].join('\n') + '\n';
    const args = ['serve', '--port', '0', '--data', dir, '--batch-rate', '300'];
    let serve = await realnameListening(args, { REALNAME_LOG_LEVEL: 'warn' });
    children.push(serve.child);
    const auth = { authorization: `Bearer ${key}` };
    const created = await fetch(`${serve.url}/v1/batches?kind=idcard2`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: upload });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const done = async (url: string) => ((await (await fetch(`${url}/v1/batches/${id}`, { headers: auth })).json()) as { state: string; rows: { done: number } });
    for (let i = 0; i < 400 && (await done(serve.url)).rows.done === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    serve.child.kill('SIGTERM');
    expect(await exited(serve.child)).toBe(0);

    const db = new Database(join(dir, 'realname.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT state, rows_done < rows_total AS unfinished, lease_node FROM batches WHERE batch_id = ?').get(id)).toEqual({ state: 'running', unfinished: 1, lease_node: null });
    } finally {
      db.close();
    }

    serve = await realnameListening(args, { REALNAME_LOG_LEVEL: 'warn' });
    children.push(serve.child);
    for (let i = 0; i < 600 && (await done(serve.url)).state !== 'done'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await done(serve.url)).toMatchObject({ state: 'done', rows: { done: 3000 } });
    serve.child.kill('SIGTERM');
    await exited(serve.child);
  });
});
