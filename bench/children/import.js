// One `registry import` (the compiled src/registry/import.ts, the code the CLI runs) of a CSV into a fresh
// SQLite data dir, alone in its process so its peak RSS (VmHWM) is the import's own. Plain JavaScript over dist/.
import { createReadStream, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadMasterKey } from '../../dist/keys/master.js';
import { createRegistryHasher } from '../../dist/registry/hash.js';
import { importRegistry } from '../../dist/registry/import.js';
import { openStore } from '../../dist/store/index.js';

/** Peak resident set (VmHWM) of this process, in MiB. */
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

const args = JSON.parse(process.argv[2]);
const store = openStore({ kind: 'sqlite', file: args.db });
const hasher = createRegistryHasher(loadMasterKey({ keyFile: args.keyFile, create: false }));
const started = performance.now();
const summary = await importRegistry({ input: createReadStream(args.csv), format: 'csv', store: store.registry, hasher, now: new Date() });
const seconds = (performance.now() - started) / 1000;
await store.close();
process.send({ type: 'done', summary: { ...summary, firstRejects: undefined }, seconds, peakRssMb: peakRssMb() }, () => process.exit(0));
