/**
 * One `registry import` (src/registry/import.ts, the code the CLI runs) of a CSV into a fresh SQLite
 * data dir, alone in its process so its peak RSS (VmHWM) is the import's own.
 */
import { createReadStream } from 'node:fs';
import { loadMasterKey } from '../../src/keys/master.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';
import { importRegistry } from '../../src/registry/import.ts';
import { openStore } from '../../src/store/index.ts';
import { peakRssMb } from '../lib/proc.ts';

const args = JSON.parse(process.argv[2]!) as { csv: string; db: string; keyFile: string };
const store = openStore({ kind: 'sqlite', file: args.db });
const hasher = createRegistryHasher(loadMasterKey({ keyFile: args.keyFile, create: false }));
const started = performance.now();
const summary = await importRegistry({ input: createReadStream(args.csv), format: 'csv', store: store.registry, hasher, now: new Date() });
const seconds = (performance.now() - started) / 1000;
await store.close();
process.send!({ type: 'done', summary: { ...summary, firstRejects: undefined }, seconds, peakRssMb: peakRssMb() }, () => process.exit(0));
