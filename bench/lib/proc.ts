import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Pins a process (every thread, -a) to one CPU; silently skipped where taskset is missing. */
export function pin(pid: number, cpu: number | undefined): void {
  if (cpu === undefined) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // Unpinned is still a valid run; BENCHMARKS.md says the figures assume pinning.
  }
}

export interface Child {
  proc: ChildProcess;
  /** The next message the child sends (rejects if it exits first). */
  next<T>(): Promise<T>;
  send(message: unknown): void;
  /** Asks the child to stop (it answers and exits), then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs one of bench/children/* in its own Node process, pinned to `cpu`: a .ts child through the tsx
 * loader, a .js child (Realname's compiled build) without one.
 * Child stdout goes to our stderr so `--json` output stays clean.
 */
export function startChild(script: string, args: unknown, options: { cpu?: number; nodeArgs?: string[] } = {}): Child {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, `bench/children/${script}`, JSON.stringify(args)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, REALNAME_MASTER_KEY: '' },
  });
  proc.stdout?.pipe(process.stderr);
  pin(proc.pid!, options.cpu);
  const queue: unknown[] = [];
  const waiters: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  proc.on('message', (m) => {
    const w = waiters.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  });
  proc.on('exit', (code, signal) => {
    exited = new Error(`bench child ${script} exited (${code ?? signal}) before answering`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  return {
    proc,
    next<T>() {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T);
      if (exited) return Promise.reject(exited);
      return new Promise<T>((resolve, reject) => waiters.push({ resolve: resolve as (v: unknown) => void, reject }));
    },
    send(message) {
      proc.send(message as object);
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exit = once(proc, 'exit');
      proc.send({ type: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Peak resident set of this process in MiB (VmHWM), falling back to maxRSS. */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * CPU time of the calling thread alone, in µs (Linux schedstat: ns on CPU), so worker threads (the
 * checkpoint worker) are left out; elsewhere the whole process's.
 */
export const threadCpuUs: () => number = existsSync(SCHEDSTAT)
  ? () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e3
  : () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };

/**
 * CPU time of process `pid` so far, every thread (the JIT's compiler threads, libuv's pool, the checkpoint
 * worker), in µs: the sum of each thread's schedstat (ns on CPU), so a window of one check is measured to
 * the microsecond. Without schedstat, /proc/PID/stat's user + system time, in ticks of 10 ms — which leaves
 * one check's window at 0 or 10,000 µs, and a few hundred checks' sum a matter of luck.
 */
export function processCpuUs(pid: number): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    if (ns > 0) return ns / 1e3;
  } catch {
    // no schedstat here: the ticks below
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
}
