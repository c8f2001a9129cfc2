import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, realname, realnameListening } from '../helpers/cli.ts';

/**
 * A batch of 100,000 rows on SQLite, its `serve` killed with SIGKILL halfway and started again: it
 * completes with exactly 100,000 results (each line once), each checked row's audit record once, and
 * the quota spent exactly once per billed row.
 */

const ROWS = 100_000;
const QUOTA = 1_000_000;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Status {
  state: string;
  rows: { total: number; done: number };
  counts: Record<string, number>;
}

async function status(url: string, key: string, id: string): Promise<Status> {
  return (await (await fetch(`${url}/v1/batches/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Status;
}

async function until(check: () => Promise<boolean>, what: string, ms = 300_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a batch across a SIGKILL', () => {
  it('completes with exactly one result per row, one audit record per checked row and the quota spent once per billed row', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-batch-'));
    const { appid } = JSON.parse((await realname(['apps', 'create', '--name', 'bulk', '--quota', String(QUOTA), '--json', '--data', dir])).stdout);
    const { key } = JSON.parse((await realname(['apps', 'keys', 'add', appid, '--json', '--data', dir])).stdout);
    const people = join(dir, 'people.csv');
    expect((await realname(['registry', 'generate', '--count', '200', '--seed', '5', '--out', people])).code).toBe(0);
    expect((await realname(['registry', 'import', people, '--data', dir])).code).toBe(0);
    const persons = readFileSync(people, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const header = readFileSync(people, 'utf8').split('\n')[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    // Matches, mismatches (another's name), invalid ID numbers and lines that are not checks.
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const p = persons[i % persons.length]!;
      if (i % 50 === 7) lines.push('{not json');
      else if (i % 10 === 3) lines.push(JSON.stringify({ name: p[col('name')], idNumber: '1234' }));
      else if (i % 10 === 5) lines.push(JSON.stringify({ name: persons[(i + 1) % persons.length]![col('name')], idNumber: p[col('idNumber')] }));
      else lines.push(JSON.stringify({ name: p[col('name')], idNumber: p[col('idNumber')] }));
    }
    writeFileSync(join(dir, 'rows.jsonl'), lines.join('\n') + '\n');

    let serve = await realnameListening(['serve', '--port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
    children.push(serve.child);
    const created = await fetch(`${serve.url}/v1/batches?kind=idcard2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: readFileSync(join(dir, 'rows.jsonl')),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };

    await until(async () => (await status(serve.url, key, id)).rows.done >= ROWS / 2, 'half the rows');
    serve.child.kill('SIGKILL');
    await exited(serve.child);

    serve = await realnameListening(['serve', '--port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
    children.push(serve.child);
    await until(async () => (await status(serve.url, key, id)).state === 'done', 'the batch to finish');
    const final = await status(serve.url, key, id);
    expect(final.rows).toEqual({ total: ROWS, done: ROWS });

    const text = await (await fetch(`${serve.url}/v1/batches/${id}/results`, { headers: { authorization: `Bearer ${key}` } })).text();
    const results = text.trim().split('\n').map((l) => JSON.parse(l) as { line: number; id?: string; verdict?: string; billed?: boolean; error?: unknown });
    expect(results).toHaveLength(ROWS);
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(results.filter((r) => r.error).length).toBe(lines.filter((l) => l === '{not json').length);
    expect(new Set(results.map((r) => r.verdict))).toEqual(new Set(['match', 'mismatch', 'invalid', undefined]));
    const billed = results.filter((r) => r.billed).length;
    expect(billed).toBeGreaterThan(ROWS / 2);

    serve.child.kill('SIGTERM');
    expect(await exited(serve.child)).toBe(0);
    const db = new Database(join(dir, 'realname.db'), { readonly: true });
    try {
      const records = db.prepare("SELECT check_id, billed FROM audit WHERE appid = ? AND dialect = 'rest-batch'").all(appid) as Array<{ check_id: string; billed: number }>;
      const checked = results.filter((r) => r.id);
      expect(records).toHaveLength(checked.length);
      expect(new Set(records.map((r) => r.check_id)).size).toBe(checked.length);
      expect(new Set(records.map((r) => r.check_id))).toEqual(new Set(checked.map((r) => r.id)));
      expect(records.filter((r) => r.billed === 1)).toHaveLength(billed);
      // The app's balance and what any node still holds of it in a lease (the killed node's, until it lapses).
      const balance = (db.prepare('SELECT quota FROM apps WHERE appid = ?').get(appid) as { quota: number }).quota;
      const leased = (db.prepare('SELECT COALESCE(SUM(units), 0) AS n FROM quota_leases WHERE appid = ?').get(appid) as { n: number }).n;
      expect(balance + leased).toBe(QUOTA - billed);
      // Nothing of the upload is left in plaintext, and no chunk's input once the batch is done.
      expect((db.prepare('SELECT COUNT(*) AS n FROM batch_chunks WHERE input_sealed IS NOT NULL').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
    const file = readFileSync(join(dir, 'realname.db'));
    expect(file.includes(Buffer.from(persons[0]![col('idNumber')]!))).toBe(false);
  });
});
