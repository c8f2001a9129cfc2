// Realname as a gateway — the compiled build, as `realname serve` runs it — in front of an upstream
// Realname reached through its image dialect (the `tencent-image` source), with the result cache
// keeping nothing (TTL 0), so every check is answered by the upstream. Creates its own tenant first.
import { loadConfig } from '../../dist/config.js';
import { openRuntime, serve } from '../../dist/runtime.js';
import { SourceAdmin } from '../../dist/sources/upstream/admin.js';

const args = JSON.parse(process.argv[2]);
const config = loadConfig({
  data: args.data,
  keyFile: args.keyFile,
  host: '127.0.0.1',
  port: 0,
  logLevel: 'warn',
  cacheTtlMatch: 0,
  cacheTtlMismatch: 0,
  cacheTtlNotFound: 0,
});
const runtime = await openRuntime(config, { store: 'create' });
const credentials = await runtime.services.tenants.create({ name: 'bench', qps: args.qps, quota: args.quota });
const admin = new SourceAdmin(runtime.store.sources, runtime.keys.sealer);
await admin.add('upstream', 'tencent-image', { endpoint: args.upstream, credentials: args.vendor, settings: { concurrency: 32 } });
for (const kind of ['idcard2', 'bankcard3']) await admin.setRoute(kind, 'upstream');
await runtime.close();

const serving = await serve(config);
process.send({ type: 'ready', address: serving.address, credentials });
process.on('message', (m) => {
  if (m.type !== 'stop') return;
  void serving.stop().finally(() => process.exit(0));
});
