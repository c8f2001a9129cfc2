import { rmSync } from 'node:fs';
import type { Reporter } from 'vitest/node';
import { LONG, SEED } from './lib/mode.ts';
import { readTally, renderTally } from './lib/tally.ts';

/** Prints the fault suite's one table at the end of a run that included it (npm test, npm run test:faults). */
export default class FaultTableReporter implements Reporter {
  onTestRunEnd(): void {
    const path = process.env.REALNAME_FAULTS_TALLY;
    const sums = readTally(path);
    if (!sums || !path) return;
    const form = LONG ? 'long form' : 'short form; the long one: npm run test:faults -- --long';
    process.stdout.write(`\n${renderTally(sums, `Fault suite (${form}; fuzzing seed REALNAME_FAULTS_SEED=${SEED})`)}\n`);
    rmSync(path, { force: true });
  }
}
