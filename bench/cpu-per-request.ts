/**
 * `node --import tsx bench/cpu-per-request.ts [--rows N] [--seconds S] [--rounds N] [--route P] [--perf DIR]`:
 * CPU time per request of Realname and of the bare baseline, each at its maximum on its pinned core,
 * read from /proc (utime + stime of every thread, the event loop's apart), in alternating rounds, and
 * the median of each round's Realname / baseline ratio: on a shared machine drift moves both alike. With --perf, `perf record` samples each server during its run
 * (Node started with --perf-basic-prof so JavaScript frames have names): `perf report -i DIR/realname.data`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplePeople } from './lib/dataset.ts';
import { median, run, type WireRequest } from './lib/load.ts';
import { pin } from './lib/proc.ts';
import { CONNECTIONS, LOAD_CPU, precheck, startBaseline, startRealname, wireRequests } from './lib/servers.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const rows = Number(flag('--rows', '20000'));
const seconds = Number(flag('--seconds', '5'));
const route = flag('--route', '/auth/idbankcard');
const rounds = Number(flag('--rounds', '2'));
const perfDir = argv.includes('--perf') ? flag('--perf', '') : undefined;
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** CPU µs so far of each thread of `pid`, by thread name ("node" is the event loop's). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * TICK_US;
    const key = tid === String(pid) ? 'event loop' : name;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  return byName;
}

async function measure(name: string, pid: number, url: string, requests: WireRequest[]): Promise<number> {
  await run(url, requests, { seconds: 2, connections: CONNECTIONS }); // warm-up
  const perf = perfDir
    ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(pid), '-o', join(perfDir, `${name}.data`)], { stdio: 'ignore' })
    : undefined;
  const before = threadCpu(pid);
  const result = await run(url, requests, { seconds, connections: CONNECTIONS });
  const after = threadCpu(pid);
  if (perf) {
    perf.kill('SIGINT');
    await once(perf, 'exit');
  }
  const total = result.rps * seconds;
  const parts = [...after].map(([thread, us]) => [thread, (us - (before.get(thread) ?? 0)) / total] as const).filter(([, us]) => us > 0.05);
  const sum = parts.reduce((s, [, us]) => s + us, 0);
  process.stdout.write(
    `${name.padEnd(9)} ${result.rps.toFixed(0).padStart(6)} req/s  ${sum.toFixed(1).padStart(6)} µs CPU a request  (${parts.map(([t, us]) => `${t} ${us.toFixed(1)}`).join(', ')})  p50 ${result.p50Ms.toFixed(3)} ms  failures ${result.failures}\n`,
  );
  return sum;
}

pin(process.pid, LOAD_CPU);
if (perfDir) mkdirSync(perfDir, { recursive: true });
const nodeArgs = perfDir ? ['--perf-basic-prof'] : [];
const realname = await startRealname(rows, nodeArgs);
const requests = wireRequests(route, samplePeople(rows, 256, 11), realname.credentials);
const answer = await precheck(realname.url, requests);
const baseline = await startBaseline({ [route]: answer }, nodeArgs);
try {
  const ratios: number[] = [];
  const own: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const base = await measure('baseline', baseline.child.proc.pid!, baseline.url, requests);
    const real = await measure('realname', realname.child.proc.pid!, realname.url, requests);
    // The first round warms the JIT of both: it is shown, not counted.
    if (round > 0 || rounds === 1) {
      ratios.push(real / base);
      own.push(real);
    }
  }
  process.stdout.write(`median: realname ${median(own).toFixed(1)} µs a request, ${median(ratios).toFixed(2)}x the baseline's (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})\n`);
} finally {
  await baseline.child.stop();
  await realname.child.stop();
}
