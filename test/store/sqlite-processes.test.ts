import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { makeApp, makeSecret } from './contract.ts';

const HAMMER = join(import.meta.dirname, 'fixtures', 'hammer.ts');

interface Child {
  ready: Promise<void>;
  go(startAt: number): void;
  count: Promise<number>;
}

function hammer(file: string, mode: 'quota' | 'rate', attempts: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', HAMMER, file, mode, String(attempts)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  const count = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`hammer exited with ${code}: ${out}`));
      else resolve(Number(out.split('\n')[1]));
    });
  });
  return { ready, go: (startAt) => child.stdin.end(`${startAt}\n`), count };
}

async function race(file: string, mode: 'quota' | 'rate', attempts: number): Promise<number[]> {
  const children = [hammer(file, mode, attempts), hammer(file, mode, attempts)];
  await Promise.all(children.map((c) => c.ready));
  const startAt = Date.now() + 100;
  for (const c of children) c.go(startAt);
  return Promise.all(children.map((c) => c.count));
}

describe('sqlite store shared by two processes', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'realname-procs-'));
    file = join(dir, 'realname.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out exactly a quota of 100 between two processes reserving at once', async () => {
    const store = openSqliteStore({ file });
    await store.apps.create(makeApp('1000001', { quota: 100 }), makeSecret('AKIDa', '1000001'));
    const counts = await race(file, 'quota', 150);
    expect(counts[0]! + counts[1]!).toBe(100);
    // Both processes really competed (not one finishing before the other began).
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect((await store.apps.get('1000001'))?.quota).toBe(0);
    await store.close();
  });

  it('admits exactly the limit of one window between two processes', async () => {
    openSqliteStore({ file }).close();
    const counts = await race(file, 'rate', 100);
    expect(counts[0]! + counts[1]!).toBe(50);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});
