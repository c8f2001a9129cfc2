/**
 * `npm run test:faults` runs the fault suite (test/faults) on its own and prints its one table;
 * `npm run test:faults -- --long` runs the long form (REALNAME_FAULTS=long). Other arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const long = args.includes('--long');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', 'test/faults', ...args.filter((a) => a !== '--long')], {
  stdio: 'inherit',
  env: { ...process.env, ...(long ? { REALNAME_FAULTS: 'long' } : {}) },
});
process.exitCode = run.status ?? 1;
