/**
 * `npm run bench [-- --quick] [-- --json] [-- --profile DIR]`: Realname side by side with bare
 * baselines on this machine. See BENCHMARKS.md for the method and the latest figures.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf } from '../src/keys/derive.ts';
import { NORMALIZATION_VERSION } from '../src/core/validate.ts';
import { csvFile, freshDir, hashedFile, keyFile, masterKey, samplePeople, servingDir } from './lib/dataset.ts';
import { median, paced, percentile, pooled, run, sequential, type RunResult, type WireRequest } from './lib/load.ts';
import { pin, processCpuUs, startChild } from './lib/proc.ts';
import { CONNECTIONS, LOAD_CPU, precheck, SERVER_CPU, startBaseline, startRealname, TENANT, wireRequests, type Credentials } from './lib/servers.ts';
import { renderTable, type Figures } from './lib/report.ts';
import { measureScaleout, measureStalls } from './lib/scaleout.ts';
import { compareValidation } from './lib/validation.ts';
import { measureBatch } from './lib/batch.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');
const profileAt = argv.indexOf('--profile');
const profileDir = profileAt >= 0 ? argv[profileAt + 1] : undefined;
/** `--only http,import,scaling,validation,gateway,scaleout,stalls,batch`: just those parts (while working on one of them). */
const PARTS = ['http', 'import', 'scaling', 'validation', 'gateway', 'scaleout', 'stalls', 'batch'] as const;
const onlyAt = argv.indexOf('--only');
const only = new Set(onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : PARTS);
for (const part of only) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only takes ${PARTS.join(',')}, not ${part}`);
}

const P = quick
  ? { rows: 20_000, rowsSmall: 2_000, scalingSmall: 2_000, rounds: 1, seconds: 2, warmup: 1, fixedSegments: 2, fixedSeconds: 1, scalingChecks: 400, validation: 20_000, gatewayChecks: 1_000, gatewayWarmup: 3_000 }
  : { rows: 1_000_000, rowsSmall: 100_000, scalingSmall: 10_000, rounds: 5, seconds: 8, warmup: 3, fixedSegments: 12, fixedSeconds: 2, scalingChecks: 4_000, validation: 200_000, gatewayChecks: 3_000, gatewayWarmup: 3_000 };
const roundsAt = argv.indexOf('--rounds');
if (roundsAt >= 0) P.rounds = Number(argv[roundsAt + 1]);
if (!Number.isInteger(P.rounds) || P.rounds < 1) throw new Error('--rounds takes a whole number >= 1');
const ROUTES = ['/auth/idbankcard', '/auth/idcard'] as const;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const profileArgs = (what: string): string[] => {
  if (!profileDir) return [];
  mkdirSync(join(profileDir, what), { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', join(profileDir, what)];
};

async function measureImport(figures: Figures): Promise<void> {
  const key = keyFile();
  const baselineDir = freshDir('import-baseline');
  log(`import baseline: bare better-sqlite3 insert of ${P.rows} pre-hashed rows`);
  const baseline = startChild('import-baseline.ts', { hashed: hashedFile(P.rows), db: join(baselineDir, 'b.db'), keyId: keyIdOf(masterKey()), normVersion: NORMALIZATION_VERSION }, { cpu: SERVER_CPU });
  const b = await baseline.next<{ rows: number; seconds: number }>();
  rmSync(baselineDir, { recursive: true, force: true });

  const imports: Record<number, { rowsPerSec: number; peakRssMb: number }> = {};
  for (const rows of [P.rows, P.rowsSmall]) {
    const serving = servingDir(rows);
    // The first run's import becomes the cached serving registry; later runs import into a scratch dir.
    const dir = serving.ready ? freshDir(`import-${rows}`) : (rmSync(serving.dir, { recursive: true, force: true }), mkdirSync(serving.dir, { recursive: true }), serving.dir);
    log(`registry import of ${rows} rows`);
    const child = startChild('import.js', { csv: csvFile(rows), db: join(dir, 'realname.db'), keyFile: key }, { cpu: SERVER_CPU, nodeArgs: rows === P.rows ? profileArgs('import') : [] });
    const r = await child.next<{ summary: { imported: number; rejected: number }; seconds: number; peakRssMb: number }>();
    if (r.summary.imported !== rows) throw new Error(`import of ${rows} rows imported ${r.summary.imported} (rejected ${r.summary.rejected})`);
    imports[rows] = { rowsPerSec: rows / r.seconds, peakRssMb: r.peakRssMb };
    if (dir === serving.dir) serving.markReady();
    else rmSync(dir, { recursive: true, force: true });
  }
  const baselineRowsPerSec = b.rows / b.seconds;
  figures.import = {
    rows: P.rows,
    rowsPerSec: imports[P.rows]!.rowsPerSec,
    baselineRowsPerSec,
    ratio: imports[P.rows]!.rowsPerSec / baselineRowsPerSec,
    peakRssMb: imports[P.rows]!.peakRssMb,
    peakRssMb100k: imports[P.rowsSmall]!.peakRssMb,
    rowsSmall: P.rowsSmall,
    rssRatio: imports[P.rows]!.peakRssMb / imports[P.rowsSmall]!.peakRssMb,
  };
}

async function ensureServing(rows: number): Promise<void> {
  const serving = servingDir(rows);
  if (serving.ready) return;
  log(`building the cached ${rows}-row registry`);
  rmSync(serving.dir, { recursive: true, force: true });
  mkdirSync(serving.dir, { recursive: true });
  const child = startChild('import.js', { csv: csvFile(rows), db: serving.db, keyFile: keyFile() }, { cpu: SERVER_CPU });
  await child.next();
  serving.markReady();
}

async function measureHttp(figures: Figures): Promise<void> {
  const realname = await startRealname(P.rows, profileArgs('server'));
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
  try {
    const people = samplePeople(P.rows, 256, 11);
    const requests = Object.fromEntries(ROUTES.map((path) => [path, wireRequests(path, people, realname.credentials)])) as Record<string, WireRequest[]>;
    const answers: Record<string, { code: number; message: string }> = {};
    const sizes: Record<string, number> = {};
    for (const path of ROUTES) {
      const a = await precheck(realname.url, requests[path]!);
      answers[path] = { code: a.code, message: a.message };
      sizes[path] = a.bytes;
    }
    baseline = await startBaseline(answers);
    const baselineUrl = baseline.url;
    for (const path of ROUTES) {
      const b = await precheck(baselineUrl, requests[path]!.slice(0, 3));
      if (b.bytes !== sizes[path]) throw new Error(`baseline answers ${b.bytes} bytes on ${path}, Realname ${sizes[path]}`);
    }

    for (const path of ROUTES) {
      log(`warm-up ${path}`);
      await run(baselineUrl, requests[path]!, { seconds: P.warmup, connections: CONNECTIONS });
      await run(realname.url, requests[path]!, { seconds: P.warmup, connections: CONNECTIONS });
    }
    const max: Record<string, { base: RunResult[]; real: RunResult[] }> = {};
    for (let round = 1; round <= P.rounds; round++) {
      for (const path of ROUTES) {
        const m = (max[path] ??= { base: [], real: [] });
        m.base.push(await run(baselineUrl, requests[path]!, { seconds: P.seconds, connections: CONNECTIONS }));
        m.real.push(await run(realname.url, requests[path]!, { seconds: P.seconds, connections: CONNECTIONS }));
        log(`round ${round} ${path}: baseline ${m.base.at(-1)!.rps.toFixed(0)} req/s, realname ${m.real.at(-1)!.rps.toFixed(0)} req/s`);
      }
    }
    figures.routes = {};
    for (const path of ROUTES) {
      const m = max[path]!;
      const failures = [...m.base, ...m.real].reduce((n, r) => n + r.failures, 0);
      if (failures > 0) throw new Error(`${failures} failed requests on ${path}`);
      const rps = median(m.real.map((r) => r.rps));
      const baselineRps = median(m.base.map((r) => r.rps));
      const rate = Math.max(1, Math.floor(rps / 2));
      // Short segments, alternating, every answer pooled per server: a stall of the machine (it is a
      // shared VM) lands in either server's segments alike instead of deciding one long round.
      const half: { base: RunResult[]; real: RunResult[] } = { base: [], real: [] };
      for (let segment = 1; segment <= P.fixedSegments; segment++) {
        half.base.push(await paced(baselineUrl, requests[path]!, { seconds: P.fixedSeconds, connections: CONNECTIONS, rate }));
        half.real.push(await paced(realname.url, requests[path]!, { seconds: P.fixedSeconds, connections: CONNECTIONS, rate }));
      }
      const segmentP99s = (runs: RunResult[]) => runs.map((r) => r.p99Ms.toFixed(1)).join(' ');
      log(`fixed ${rate} req/s ${path}, p99 of each ${P.fixedSeconds} s segment: baseline ${segmentP99s(half.base)} ms; realname ${segmentP99s(half.real)} ms`);
      const halfFailures = [...half.base, ...half.real].reduce((n, r) => n + r.failures, 0);
      if (halfFailures > 0) throw new Error(`${halfFailures} failed requests at the fixed rate on ${path}`);
      const p99AtHalfMs = percentile(pooled(half.real), 99);
      const baselineP99AtHalfMs = percentile(pooled(half.base), 99);
      figures.routes[path] = {
        rps,
        baselineRps,
        ratio: rps / baselineRps,
        // Each round's ratio, then the median: steadier than a ratio of medians on a shared machine.
        roundRatio: median(m.real.map((r, i) => r.rps / m.base[i]!.rps)),
        p50Ms: median(m.real.map((r) => r.p50Ms)),
        p99Ms: median(m.real.map((r) => r.p99Ms)),
        baselineP50Ms: median(m.base.map((r) => r.p50Ms)),
        baselineP99Ms: median(m.base.map((r) => r.p99Ms)),
        halfRate: rate,
        p99AtHalfMs,
        baselineP99AtHalfMs,
        p99AtHalfRatio: p99AtHalfMs / baselineP99AtHalfMs,
      };
    }
  } finally {
    await baseline?.child.stop();
    await realname.child.stop();
  }
}

/** One check at a time against each registry size, interleaved so drift hits both alike. */
async function measureScaling(figures: Figures): Promise<void> {
  const small = await startRealname(P.scalingSmall, profileArgs('server'));
  const large = await startRealname(P.rows, profileArgs('server'));
  try {
    const sides = [small, large].map((s, i) => {
      const people = samplePeople(i === 0 ? P.scalingSmall : P.rows, P.scalingChecks + 200, 23);
      return { client: sequential(s.url), requests: wireRequests('/auth/idbankcard', people, s.credentials), latencies: [] as number[] };
    });
    for (let i = 0; i < P.scalingChecks + 200; i++) {
      for (const side of sides) {
        const { ms, body } = await side.client.next(side.requests[i]!);
        if (!body.startsWith('{"code":0,')) throw new Error(`scaling check answered ${body}`);
        if (i >= 200) side.latencies.push(ms); // the first 200 warm the JIT and the caches
      }
    }
    for (const side of sides) side.client.close();
    const [l10k, l1m] = sides.map((s) => median(s.latencies));
    figures.scaling = { latency10kMs: l10k!, latency1mMs: l1m!, ratio: l1m! / l10k!, rowsSmall: P.scalingSmall, rows: P.rows };
  } finally {
    await small.child.stop();
    await large.child.stop();
  }
}

/**
 * A check answered by an upstream Realname, asked directly and through a Realname gateway (its
 * `tencent-image` source, cache off), one at a time, alternating, so drift hits both alike: the latency
 * the gateway adds, and the gateway's CPU per check (every thread's schedstat, only while its checks run).
 * The first `gatewayWarmup` pairs are not measured: one check at a time, V8 is still compiling the
 * gateway's path (the server's and the HTTP client's) for the first two thousand or so — its CPU a check
 * falls from ~1,500 µs over the first 400 to ~300 µs — and those compiles run on threads of its own.
 */
async function measureGateway(figures: Figures): Promise<void> {
  const upstream = await startRealname(P.scalingSmall);
  const gateway = startChild('gateway.js', { data: freshDir('gateway'), keyFile: keyFile(), upstream: upstream.url, vendor: { appid: upstream.credentials.appid, secretId: upstream.credentials.secretId, secretKey: upstream.credentials.secretKey }, ...TENANT }, { cpu: SERVER_CPU, nodeArgs: profileArgs('gateway') });
  try {
    const ready = await gateway.next<{ address: string; credentials: Credentials }>();
    const total = P.gatewayWarmup + P.gatewayChecks;
    const people = samplePeople(P.scalingSmall, total, 31);
    const sides = [
      { client: sequential(upstream.url), requests: wireRequests('/auth/idbankcard', people, upstream.credentials), latencies: [] as number[], cpuUs: 0 },
      { client: sequential(ready.address), requests: wireRequests('/auth/idbankcard', people, ready.credentials), latencies: [] as number[], cpuUs: 0 },
    ];
    const pid = gateway.proc.pid!;
    for (let i = 0; i < total; i++) {
      for (const [s, side] of sides.entries()) {
        const before = s === 1 ? processCpuUs(pid) : 0;
        const { ms, body } = await side.client.next(side.requests[i]!);
        if (!body.startsWith('{"code":0,')) throw new Error(`gateway bench check answered ${body}`);
        if (i < P.gatewayWarmup) continue;
        side.latencies.push(ms);
        if (s === 1) side.cpuUs += processCpuUs(pid) - before;
      }
    }
    for (const side of sides) side.client.close();
    const [directMs, gatewayMs] = sides.map((s) => median(s.latencies));
    figures.gateway = { checks: P.gatewayChecks, directMs: directMs!, gatewayMs: gatewayMs!, addedMs: gatewayMs! - directMs!, gatewayCpuUsPerCheck: sides[1]!.cpuUs / P.gatewayChecks };
  } finally {
    await gateway.stop();
    await upstream.child.stop();
  }
}

const figures: Figures = { mode: quick ? 'quick' : 'full' } as Figures;
pin(process.pid, LOAD_CPU);
const started = Date.now();
log(`${quick ? 'quick' : 'full'} run: registry ${P.rows} rows; datasets cached under .bench-cache/`);
csvFile(P.rows);
csvFile(P.rowsSmall);
csvFile(P.scalingSmall);
hashedFile(P.rows);
if (only.has('import')) await measureImport(figures);
await ensureServing(P.rows);
await ensureServing(P.scalingSmall);
if (only.has('http')) await measureHttp(figures);
if (only.has('scaling')) await measureScaling(figures);
if (only.has('gateway')) {
  log('gateway in front of an upstream Realname');
  await measureGateway(figures);
}
if (only.has('scaleout')) {
  log('scale-out: PostgreSQL + Redis against SQLite, and --workers');
  // Its registry: the import part's smaller one, built here when that part was not run.
  if (!quick) await ensureServing(P.rowsSmall);
  figures.scaleout = await measureScaleout({ rows: quick ? P.rows : P.rowsSmall, rounds: quick ? 1 : 3, seconds: quick ? 3 : 6, log });
}
if (only.has('stalls')) {
  log('stalls: a fixed rate at half the maximum');
  figures.stalls = await measureStalls({ rows: P.rows, seconds: quick ? 10 : 60, segments: quick ? 2 : 6, log });
}
if (only.has('batch')) {
  log('batch: a whole file of checks against the same checks through POST /v1/checks');
  figures.batch = await measureBatch({ rows: P.rows, smallRows: P.rowsSmall, registryRows: P.scalingSmall, seconds: P.seconds, rounds: quick ? 1 : Math.min(P.rounds, 3), log });
}
if (only.has('validation')) {
  log('validation');
  figures.validation = compareValidation(P.validation);
}
figures.seconds = (Date.now() - started) / 1000;
const table = renderTable(figures);
if (asJson) {
  process.stderr.write(table);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  process.stdout.write(table);
}
