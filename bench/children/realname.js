// Realname as `realname serve` runs it — the compiled build in dist/ (src/runtime.ts: SQLite store by default,
// or PostgreSQL + Redis; audit log, quota and QPS by lease), on a cached data dir, listening on 127.0.0.1:0.
// Plain JavaScript, run without a loader, so nothing but the build is measured. Creates one tenant first, with
// a QPS limit and a quota so every check spends what a production tenant spends. Logs at warn: the bare
// baseline logs nothing. On a `stats` message it answers what the server saw: the counters' store calls and
// its event loop's delay (monitorEventLoopDelay); `reset` starts both over.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../dist/config.js';
import { openRuntime, serve } from '../../dist/runtime.js';

const args = JSON.parse(process.argv[2]);
const store = args.postgresUrl ? { store: 'postgres', postgresUrl: args.postgresUrl, ...(args.redisUrl ? { redisUrl: args.redisUrl } : {}) } : {};
const config = loadConfig({ data: args.data, keyFile: args.keyFile, host: '127.0.0.1', port: 0, logLevel: 'warn', ...store });
const runtime = await openRuntime(config, { store: 'create' });
// App names are unique and the data dir is reused run after run: a name of its own each time.
const credentials = await runtime.services.tenants.create({ name: `bench ${Date.now()}-${process.pid}`, qps: args.qps, quota: args.quota });
const rows = await runtime.store.registry.count();
// A REST API key of the tenant (the /v1 routes: the batch bench).
const apiKey = (await runtime.services.apiKeys.create(credentials.appid)).key;
await runtime.close();

const serving = await serve(config);
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let base = serving.runtime.services.counters.stats();
process.send({ type: 'ready', address: serving.address, credentials, apiKey, rows });
process.on('message', (m) => {
  if (m.type === 'stats') {
    const now = serving.runtime.services.counters.stats();
    process.send({
      type: 'stats',
      counterWrites: now.writes - base.writes,
      counterReads: now.reads - base.reads,
      eventLoopMaxMs: delay.max / 1e6,
      eventLoopP99Ms: delay.percentile(99) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
  } else if (m.type === 'reset') {
    base = serving.runtime.services.counters.stats();
    delay.reset();
    process.send({ type: 'reset' });
  } else if (m.type === 'stop') {
    void serving.stop().finally(() => process.exit(0));
  }
});
