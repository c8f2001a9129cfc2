/**
 * `node --import tsx bench/check-path.ts [--rows N] [--per-turn 10] [--ms 2000] [--rounds 5]`: CPU µs
 * per `/auth/idbankcard` check of everything Realname does beyond HTTP — body parse, the dialect's
 * decision (signature, tenant, access, validation, counters, registry) and the audit record — in
 * process, with no network, on a scratch copy of the bench's cached SQLite registry. Checks come
 * `--per-turn` at a time, as a busy server's event loop takes them. Steadier than the HTTP figures;
 * run it with `node --cpu-prof` to see where a check's time goes.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { Exchange } from '../src/dialects/define.ts';
import { parseJsonBody } from '../src/dialects/tencent-image/body.ts';
import { tencentImage } from '../src/dialects/tencent-image/index.ts';
import { openRuntime } from '../src/runtime.ts';
import { keyFile, samplePeople, servingDir } from './lib/dataset.ts';
import { median } from './lib/load.ts';
import { threadCpuUs } from './lib/proc.ts';
import { TENANT, wireRequests } from './lib/servers.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const rows = Number(flag('--rows', '20000'));
const perTurn = Number(flag('--per-turn', '10'));
const roundMs = Number(flag('--ms', '2000'));
const rounds = Number(flag('--rounds', '5'));

const serving = servingDir(rows);
if (!serving.ready) throw new Error(`no cached registry of ${rows} rows: run npm run bench -- --quick first`);
const scratch = mkdtempSync(join(tmpdir(), 'realname-check-path-'));
cpSync(serving.dir, scratch, { recursive: true });
const runtime = await openRuntime(loadConfig({ data: scratch, keyFile: keyFile() }), { store: 'create' });
try {
  const { services } = runtime;
  const credentials = await runtime.services.tenants.create({ name: `bench ${Date.now()}`, ...TENANT });
  const decide = tencentImage.decider(services, {}, tencentImage.billing);
  const arrivals = wireRequests('/auth/idbankcard', samplePeople(rows, 256, 11), credentials).map((r) => ({
    bytes: Buffer.from(r.body),
    headers: { 'content-type': r.headers['content-type'], authorization: r.headers.authorization },
  }));
  const socket = { remoteAddress: '127.0.0.1' };
  let n = 0;
  // What the dialect scaffold does around decide, without HTTP: the exchange, the client address, the answer, the audit.
  const check = async (): Promise<void> => {
    const wire = arrivals[n++ & 255]!;
    const exchange: Exchange = { checkId: services.newCheckId(), startedAt: services.clock(), kind: 'bankcard3', route: '/auth/idbankcard', appid: null, factors: {} };
    const decision = await decide({ url: '/auth/idbankcard', body: parseJsonBody(wire.bytes), headers: wire.headers, clientIp: services.clientIp({ headers: wire.headers, socket }) }, exchange);
    if ('replayed' in decision) throw new Error('the image dialect has no idempotent replays');
    if ('outcome' in decision) exchange.outcome = decision.outcome;
    if (decision.app) exchange.appid = decision.app.appid;
    const answer = tencentImage.present(decision, exchange);
    services.auditor.record({ ...exchange, dialect: tencentImage.name, code: answer.code });
    if (answer.code !== '0') throw new Error(`check answered ${answer.code}`);
  };
  const turn = async () => {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < perTurn; i++) pending.push(check());
    await Promise.all(pending);
    // The next turn starts after the poll phase, as the next requests would.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const timed = async (ms: number) => {
    const cpu = threadCpuUs();
    const until = performance.now() + ms;
    let checks = 0;
    while (performance.now() < until) {
      await turn();
      checks += perTurn;
    }
    return (threadCpuUs() - cpu) / checks;
  };
  await timed(roundMs); // warm-up
  const figures: number[] = [];
  for (let r = 0; r < rounds; r++) figures.push(await timed(roundMs));
  process.stdout.write(
    `check path: ${median(figures).toFixed(2)} µs CPU a check (median of ${rounds}; ${figures.map((f) => f.toFixed(1)).join(' ')}), ${perTurn} a turn\n`,
  );
} finally {
  await runtime.close();
  rmSync(scratch, { recursive: true, force: true });
}
