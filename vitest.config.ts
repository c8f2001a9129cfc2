import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The fault suite's counts go to one file the reporter prints as one table; its fuzzing seed is one per
// run, shared by every test process (both inherit these from this, the main process).
process.env.REALNAME_FAULTS_TALLY ??= join(tmpdir(), `realname-faults-${process.pid}-${Date.now()}.jsonl`);
process.env.REALNAME_FAULTS_SEED ??= String(Math.floor(Math.random() * 2 ** 31));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts', './test/faults/reporter.ts'],
  },
});
