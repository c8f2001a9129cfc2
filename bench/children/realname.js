// Realname as `realname serve` runs it — the compiled build in dist/ (src/runtime.ts: SQLite store, audit log,
// quota and QPS counters), on a cached data dir, listening on 127.0.0.1:0. Plain JavaScript, run without a
// loader, so nothing but the build is measured. Creates one tenant first, with a QPS limit and a quota so
// every check does the counter writes a production tenant does. Logs at warn: the bare baseline logs nothing.
import { loadConfig } from '../../dist/config.js';
import { openRuntime, serve } from '../../dist/runtime.js';

const args = JSON.parse(process.argv[2]);
const config = loadConfig({ data: args.data, keyFile: args.keyFile, host: '127.0.0.1', port: 0, logLevel: 'warn' });
const runtime = await openRuntime(config, { store: 'create' });
// App names are unique and the data dir is reused run after run: a name of its own each time.
const credentials = await runtime.services.tenants.create({ name: `bench ${Date.now()}-${process.pid}`, qps: args.qps, quota: args.quota });
const rows = await runtime.store.registry.count();
await runtime.close();

const serving = await serve(config);
process.send({ type: 'ready', address: serving.address, credentials, rows });
process.on('message', (m) => {
  if (m.type !== 'stop') return;
  void serving.stop().finally(() => process.exit(0));
});
