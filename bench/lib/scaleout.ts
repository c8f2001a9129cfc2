/**
 * The counters issue's figures (issue 14), side by side in one run:
 * - scale-out: Realname on PostgreSQL + Redis against Realname on SQLite, same requests, each server on
 *   one core (the target: >= 0.5); the counters' store writes per 1,000 checks (target <= 10); `serve
 *   --workers 2` against `--workers 1` on each backend (the workers and the load generator share this
 *   2-core machine, so these are reported as they are);
 * - stalls: a fixed rate at half of Realname's maximum for 60 s (quick: 10 s), alternating segments with
 *   the baseline: the server's own event-loop delay (max, p99) and the clients' p99 and max beside the
 *   baseline's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { csvFile, keyFile, samplePeople, servingDir } from './dataset.ts';
import { median, paced, percentile, pooled, run, type RunResult, type WireRequest } from './load.ts';
import { ROOT, startChild, type Child } from './proc.ts';
import { CONNECTIONS, precheck, SERVER_CPU, startBaseline, TENANT, wireRequests, type Credentials } from './servers.ts';

const POSTGRES_URL = process.env.REALNAME_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REALNAME_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const BIN = join(ROOT, 'bin', 'realname.js');
const PATH = '/auth/idbankcard';

export interface ScaleoutFigures {
  rows: number;
  sqliteRps: number;
  postgresRps: number;
  /** PostgreSQL + Redis / SQLite (target >= 0.5). */
  ratio: number;
  /** The counters' store writes per 1,000 checks at steady state (target <= 10). */
  writesPer1000: { sqlite: number; postgres: number };
  workers: { sqlite1: number; sqlite2: number; postgres1: number; postgres2: number };
}

export interface StallFigures {
  seconds: number;
  rate: number;
  /** The server's own event-loop delay over the run (target: max <= 100 ms). */
  eventLoopMaxMs: number;
  eventLoopP99Ms: number;
  p99Ms: number;
  maxMs: number;
  baselineP99Ms: number;
  baselineMaxMs: number;
}

interface Served {
  child: Child;
  url: string;
  credentials: Credentials;
}

async function startServer(args: Record<string, unknown>): Promise<Served> {
  const child = startChild('realname.js', { keyFile: keyFile(), ...TENANT, ...args }, { cpu: SERVER_CPU });
  const ready = await child.next<{ address: string; credentials: Credentials }>();
  return { child, url: ready.address, credentials: ready.credentials };
}

async function stats(s: Served): Promise<{ counterWrites: number; eventLoopMaxMs: number; eventLoopP99Ms: number }> {
  s.child.send({ type: 'stats' });
  return s.child.next();
}

async function reset(s: Served): Promise<void> {
  s.child.send({ type: 'reset' });
  await s.child.next();
}

/** A fresh PostgreSQL schema holding the bench registry of `rows` rows (imported by the CLI, under the bench key). */
async function postgresRegistry(rows: number): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `rn_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const importer = spawn(process.execPath, [BIN, 'registry', 'import', csvFile(rows), '--store', 'postgres', '--key-file', keyFile()], {
    env: { ...process.env, REALNAME_POSTGRES_URL: url, REALNAME_MASTER_KEY: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(importer, 'exit')) as [number];
  if (code !== 0) throw new Error(`registry import into PostgreSQL exited ${code}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** `node bin/realname.js serve --workers N` (unpinned: the workers spread over the machine's cores). */
async function startWorkers(n: number, env: NodeJS.ProcessEnv, data: string): Promise<{ proc: ChildProcess; url: string; credentials: Credentials }> {
  const base = { ...process.env, REALNAME_MASTER_KEY: '', REALNAME_LOG_LEVEL: 'warn', ...env };
  const created = spawn(process.execPath, [BIN, 'apps', 'create', '--name', `bench ${Date.now()}-${n}`, '--qps', String(TENANT.qps), '--quota', String(TENANT.quota), '--json', '--data', data, '--key-file', keyFile()], {
    env: base,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  created.stdout!.on('data', (d) => (out += d));
  await once(created, 'exit');
  const credentials = JSON.parse(out) as Credentials;
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', String(n), '--data', data, '--key-file', keyFile()], { env: base, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`serve --workers ${n} exited ${code}: ${err}`)));
  });
  return { proc, url, credentials };
}

async function stopWorkers(w: { proc: ChildProcess }): Promise<void> {
  const exit = once(w.proc, 'exit');
  w.proc.kill('SIGTERM');
  await exit;
}

async function maxRps(url: string, requests: WireRequest[], seconds: number): Promise<RunResult> {
  const r = await run(url, requests, { seconds, connections: CONNECTIONS });
  if (r.failures > 0) throw new Error(`${r.failures} failed requests at ${url}`);
  return r;
}

export async function measureScaleout(o: { rows: number; rounds: number; seconds: number; log: (line: string) => void }): Promise<ScaleoutFigures> {
  const people = samplePeople(o.rows, 256, 41);
  const serving = servingDir(o.rows);
  if (!serving.ready) throw new Error(`no cached registry of ${o.rows} rows`);
  o.log(`scale-out: importing ${o.rows} rows into PostgreSQL`);
  const registry = await postgresRegistry(o.rows);
  const scratch = mkdtempSync(join(tmpdir(), 'realname-bench-scaleout-'));
  try {
    const sqlite = await startServer({ data: serving.dir });
    const postgres = await startServer({ data: join(scratch, 'pg'), postgresUrl: registry.url, redisUrl: REDIS_URL });
    const sides = [sqlite, postgres].map((s) => ({ s, requests: wireRequests(PATH, people, s.credentials), runs: [] as RunResult[], writes: [] as number[] }));
    try {
      for (const side of sides) {
        await precheck(side.s.url, side.requests.slice(0, 3));
        await maxRps(side.s.url, side.requests, 2); // warm-up: JIT, pools, leases
      }
      for (let round = 0; round < o.rounds; round++) {
        for (const side of sides) {
          await reset(side.s);
          const r = await maxRps(side.s.url, side.requests, o.seconds);
          const { counterWrites } = await stats(side.s);
          side.runs.push(r);
          side.writes.push((counterWrites / (r.rps * o.seconds)) * 1000);
        }
        o.log(`scale-out round ${round + 1}: sqlite ${sides[0]!.runs.at(-1)!.rps.toFixed(0)} req/s, postgres+redis ${sides[1]!.runs.at(-1)!.rps.toFixed(0)} req/s`);
      }
    } finally {
      await sqlite.child.stop();
      await postgres.child.stop();
    }
    const [sqliteRps, postgresRps] = sides.map((side) => median(side.runs.map((r) => r.rps)));
    const [sqliteWrites, postgresWrites] = sides.map((side) => median(side.writes));

    // --workers 1 against 2 on each backend, alternating, unpinned.
    const workers: Record<string, number[]> = { sqlite1: [], sqlite2: [], postgres1: [], postgres2: [] };
    const backends: [string, NodeJS.ProcessEnv, string][] = [
      ['sqlite', {}, join(scratch, 'sqlite')],
      ['postgres', { REALNAME_STORE: 'postgres', REALNAME_POSTGRES_URL: registry.url, REALNAME_REDIS_URL: REDIS_URL }, join(scratch, 'pg-workers')],
    ];
    cpSync(serving.dir, join(scratch, 'sqlite'), { recursive: true });
    for (const [name, env, data] of backends) {
      for (let round = 0; round < o.rounds; round++) {
        for (const n of [1, 2]) {
          const w = await startWorkers(n, env, data);
          try {
            const requests = wireRequests(PATH, people, w.credentials);
            await maxRps(w.url, requests, 1);
            workers[`${name}${n}`]!.push((await maxRps(w.url, requests, o.seconds)).rps);
          } finally {
            await stopWorkers(w);
          }
        }
      }
      o.log(`workers on ${name}: 1 → ${median(workers[`${name}1`]!).toFixed(0)} req/s, 2 → ${median(workers[`${name}2`]!).toFixed(0)} req/s`);
    }
    return {
      rows: o.rows,
      sqliteRps: sqliteRps!,
      postgresRps: postgresRps!,
      ratio: postgresRps! / sqliteRps!,
      writesPer1000: { sqlite: sqliteWrites!, postgres: postgresWrites! },
      workers: { sqlite1: median(workers.sqlite1!), sqlite2: median(workers.sqlite2!), postgres1: median(workers.postgres1!), postgres2: median(workers.postgres2!) },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await registry.drop();
  }
}

export async function measureStalls(o: { rows: number; seconds: number; segments: number; log: (line: string) => void }): Promise<StallFigures> {
  const people = samplePeople(o.rows, 256, 43);
  const realname = await startServer({ data: servingDir(o.rows).dir });
  const requests = wireRequests(PATH, people, realname.credentials);
  const { code, message } = await precheck(realname.url, requests.slice(0, 3));
  const baseline = await startBaseline({ [PATH]: { code, message } });
  try {
    const rate = Math.max(1, Math.floor((await maxRps(realname.url, requests, 3)).rps / 2));
    const perSegment = o.seconds / o.segments;
    const real: RunResult[] = [];
    const base: RunResult[] = [];
    let eventLoopMaxMs = 0;
    const p99s: number[] = [];
    for (let i = 0; i < o.segments; i++) {
      base.push(await paced(baseline.url, requests, { seconds: perSegment, connections: CONNECTIONS, rate }));
      await reset(realname);
      real.push(await paced(realname.url, requests, { seconds: perSegment, connections: CONNECTIONS, rate }));
      const s = await stats(realname);
      eventLoopMaxMs = Math.max(eventLoopMaxMs, s.eventLoopMaxMs);
      p99s.push(s.eventLoopP99Ms);
    }
    const failures = [...real, ...base].reduce((n, r) => n + r.failures, 0);
    if (failures > 0) throw new Error(`${failures} failed requests at the fixed rate`);
    const [r, b] = [pooled(real), pooled(base)];
    o.log(`stalls: ${rate} req/s for ${o.seconds} s: event loop max ${eventLoopMaxMs.toFixed(1)} ms`);
    return {
      seconds: o.seconds,
      rate,
      eventLoopMaxMs,
      eventLoopP99Ms: Math.max(...p99s),
      p99Ms: percentile(r, 99),
      maxMs: r[r.length - 1]!,
      baselineP99Ms: percentile(b, 99),
      baselineMaxMs: b[b.length - 1]!,
    };
  } finally {
    await baseline.child.stop();
    await realname.child.stop();
  }
}
