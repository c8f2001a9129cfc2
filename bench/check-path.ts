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
import Fastify from 'fastify';
import { loadConfig } from '../src/config.ts';
import { parseJsonBody } from '../src/dialects/tencent-image/body.ts';
import { createDecide, type CheckArrival } from '../src/dialects/tencent-image/decide.ts';
import { DIALECT } from '../src/dialects/tencent-image/plugin.ts';
import { auditExchange, startExchange } from '../src/dialects/shared/exchange.ts';
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
  const decide = createDecide(services);
  const log = Fastify({ logger: false }).log;
  const arrivals = wireRequests('/auth/idbankcard', samplePeople(rows, 256, 11), credentials).map((r) => ({
    bytes: Buffer.from(r.body),
    headers: { 'content-type': r.headers['content-type'], authorization: r.headers.authorization },
  }));
  const socket = { remoteAddress: '127.0.0.1' };
  let n = 0;
  const check = async (): Promise<void> => {
    const wire = arrivals[n++ & 255]!;
    const exchange = startExchange(services, 'bankcard3');
    const request: CheckArrival = { body: parseJsonBody(wire.bytes), headers: wire.headers, socket };
    const answer = await decide(request, exchange);
    auditExchange(services.auditor, log, DIALECT, exchange, String(answer.code));
    if (answer.code !== 0) throw new Error(`check answered ${answer.code}`);
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
