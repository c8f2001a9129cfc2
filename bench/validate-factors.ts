/**
 * `node --import tsx bench/validate-factors.ts [--count N] [--passes N] [--baseline DIR]`: µs and bytes
 * allocated per validateFactors call on the check path (bankcard3 and idcard2 over synthetic
 * identities), in process. `--baseline DIR` also loads DIR/validate.ts (say, a copy of an older
 * src/core inside the repository, so its imports resolve) and alternates passes of the two, so both
 * see the same machine load and the ratio holds even when other work makes absolute figures drift:
 *   mkdir -p .bench-cache/base && git archive <commit> src/core | tar -x -C .bench-cache/base
 *   node --import tsx bench/validate-factors.ts --baseline .bench-cache/base/src/core
 *
 * Re-runs itself with --expose-gc and a young generation large enough that no scavenge lands inside a
 * measured pass: the heap growth over a pass is what the calls allocated.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckKind, Factors } from '../src/core/factors.ts';
import { generateIdentities } from '../src/core/synthetic.ts';
import { validateFactors, type Validated } from '../src/core/validate.ts';

const NODE_FLAGS = ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128'];

if (typeof globalThis.gc !== 'function') {
  const args = [...NODE_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}
const gc = globalThis.gc as () => void;

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const COUNT = Number(option('--count') ?? 4000);
const PASSES = Number(option('--passes') ?? 20);
const baselineDir = option('--baseline');

type Validate = (kind: CheckKind, raw: Factors, now: Date) => Validated;
const subjects: { label: string; validate: Validate }[] = [{ label: 'current', validate: validateFactors }];
if (baselineDir) {
  const module = (await import(pathToFileURL(resolve(baselineDir, 'validate.ts')).href)) as { validateFactors: Validate };
  subjects.unshift({ label: 'baseline', validate: module.validateFactors });
}

/** Through JSON, as a server receives them: flat strings, not the concatenations the generator builds. */
const people = JSON.parse(
  JSON.stringify([...generateIdentities(COUNT, 'bench-validate-factors')].map((p) => ({ idNumber: p.idNumber, name: p.name, bankCard: p.bankCard }))),
) as Factors[];

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
/** GC entries reach the observer a little later, after a timer turn or so. */
const settle = () => new Promise((done) => setTimeout(done, 20));

/** Counts valid results, so no call can be optimised away. */
let valid = 0;

/** µs per call over one pass of the corpus. */
function pass(validate: Validate, kind: CheckKind, now: Date): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < people.length; i++) if (validate(kind, people[i]!, now).ok) valid++;
  return Number(process.hrtime.bigint() - started) / 1000 / people.length;
}

/** Heap growth per call over one pass with no collection inside it; NaN if one intervened. */
async function bytesPerCall(validate: Validate, kind: CheckKind, now: Date): Promise<number> {
  gc();
  await settle();
  const before = collections;
  const heap = process.memoryUsage().heapUsed;
  for (let i = 0; i < people.length; i++) if (validate(kind, people[i]!, now).ok) valid++;
  const grown = process.memoryUsage().heapUsed - heap;
  await settle();
  return collections === before ? grown / people.length : NaN;
}

const now = new Date();
for (const kind of ['bankcard3', 'idcard2'] as const) {
  const best = subjects.map(() => ({ us: Infinity, bytes: Infinity }));
  for (let i = 0; i < 5; i++) for (const s of subjects) pass(s.validate, kind, now); // warm-up: the JIT settles
  for (let i = 0; i < PASSES; i++) {
    subjects.forEach((s, j) => (best[j]!.us = Math.min(best[j]!.us, pass(s.validate, kind, now))));
  }
  for (let i = 0; i < 5; i++) {
    for (const [j, s] of subjects.entries()) {
      const bytes = await bytesPerCall(s.validate, kind, now);
      if (!Number.isNaN(bytes)) best[j]!.bytes = Math.min(best[j]!.bytes, bytes);
    }
  }
  for (const [j, s] of subjects.entries()) {
    const { us, bytes } = best[j]!;
    const ratio = subjects.length > 1 && j > 0 ? `  (${(best[0]!.us / us).toFixed(2)}x faster than baseline)` : '';
    process.stdout.write(`${kind.padEnd(9)} ${s.label.padEnd(8)} ${us.toFixed(3)} µs/call  ${bytes.toFixed(0)} B/call${ratio}\n`);
  }
}
process.stdout.write(`(best of ${PASSES} passes over ${people.length} synthetic identities, of 5 for bytes)\n`);
if (valid === 0) throw new Error('no valid identity: the corpus is broken');
