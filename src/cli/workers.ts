import cluster, { type Worker } from 'node:cluster';
import { gatherWorkers } from '../metrics/cluster.ts';
import { listenMetrics } from '../metrics/http.ts';

/**
 * `serve --workers N`: N processes sharing the port (node:cluster hands each connection to one). Each
 * worker is a node of its own — its own store connections and leases — so quota and QPS stay exact
 * across them as across machines. The primary prints the address once, passes SIGTERM/SIGINT on, waits
 * for every worker to drain, and starts a worker again if one dies while serving. A worker that dies
 * before it listens (a taken port, a store it cannot open) stops the whole service with exit code 1:
 * starting it again would fail the same way, forever. The first worker starts alone and the others once
 * it listens: a mistake every worker would make (a taken port) is told once, by that worker, as `serve`
 * without --workers tells it.
 */
export async function runWorkers(workers: number, metricsAt?: { host: string; port: number }): Promise<void> {
  // Every worker's metrics, gathered here: served on --metrics-port, or to a worker a scrape of the main port reached.
  const metrics = gatherWorkers();
  const metricsServer = metricsAt ? await listenMetrics(metricsAt.host, metricsAt.port, metrics) : undefined;
  if (metricsServer) process.stderr.write(`realname metrics at ${metricsServer.address}/metrics\n`);
  let stopping = false;
  let announced = false;
  const listening = new WeakSet<Worker>();
  const pending = new Set<NodeJS.Timeout>();
  const fork = () => {
    const worker = cluster.fork({ REALNAME_WORKER: '1' });
    worker.on('message', (m: { type?: string; address?: string }) => {
      if (m.type !== 'listening') return;
      listening.add(worker);
      if (announced) return;
      announced = true;
      for (let i = 1; i < workers && !stopping; i++) fork();
      process.stderr.write(`realname listening on ${m.address} (${workers} workers)\n`);
    });
  };
  const stop = (reason?: string) => {
    if (stopping) return;
    stopping = true;
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
    if (reason) process.stderr.write(`realname: ${reason}\n`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).length;
  fork();
  await new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping && !listening.has(worker)) {
        process.exitCode = 1;
        // An exit code: the worker printed why (one line, as serve does). A signal: nobody did.
        stop(signal ? `worker ${worker.process.pid} was stopped by ${signal} before it started; stopping` : undefined);
      } else if (!stopping) {
        process.stderr.write(`realname: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
        const timer = setTimeout(() => {
          pending.delete(timer);
          if (!stopping) fork();
        }, 1000);
        pending.add(timer);
        return;
      } else if (code !== 0 && signal !== 'SIGTERM') {
        process.exitCode = 1;
      }
      if (alive() === 0) void (metricsServer?.close() ?? Promise.resolve()).then(() => resolve());
    });
    const shutdown = () => stop('draining in-flight requests');
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

/** True in a process started by runWorkers. */
export const isWorker = (): boolean => cluster.isWorker && process.env.REALNAME_WORKER === '1';

/** A worker tells the primary where it listens (the primary announces it once). */
export function announceListening(address: string): void {
  process.send?.({ type: 'listening', address });
}
