/**
 * Realname as `realname serve` runs it (src/runtime.ts: SQLite store, audit log, quota and QPS
 * counters), on a cached data dir, listening on 127.0.0.1:0. Creates one tenant first, with a QPS
 * limit and a quota so every check does the counter writes a production tenant does.
 */
import { loadConfig } from '../../src/config.ts';
import { openRuntime, serve } from '../../src/runtime.ts';

const args = JSON.parse(process.argv[2]!) as { data: string; keyFile: string; qps: number; quota: number };
const config = loadConfig({ data: args.data, keyFile: args.keyFile, host: '127.0.0.1', port: 0 });
const runtime = await openRuntime(config, { store: 'create' });
// App names are unique and the data dir is reused run after run: a name of its own each time.
const credentials = await runtime.services.tenants.create({ name: `bench ${Date.now()}-${process.pid}`, qps: args.qps, quota: args.quota });
const rows = await runtime.store.registry.count();
await runtime.close();

const serving = await serve(config);
process.send!({ type: 'ready', address: serving.address, credentials, rows });
process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  void serving.stop().finally(() => process.exit(0));
});
