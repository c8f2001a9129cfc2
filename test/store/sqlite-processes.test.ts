import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { makeApp, makeSecret } from './contract.ts';
import { raceTwoProcesses } from './fixtures/race.ts';

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
    const counts = await raceTwoProcesses({ kind: 'sqlite', file }, 'quota', 150);
    expect(counts[0]! + counts[1]!).toBe(100);
    // Both processes really competed (not one finishing before the other began).
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect((await store.apps.get('1000001'))?.quota).toBe(0);
    await store.close();
  });

  it('admits exactly the limit of one window between two processes', async () => {
    openSqliteStore({ file }).close();
    const counts = await raceTwoProcesses({ kind: 'sqlite', file }, 'rate', 100);
    expect(counts[0]! + counts[1]!).toBe(50);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});
