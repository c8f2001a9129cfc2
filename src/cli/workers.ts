import cluster from 'node:cluster';

/**
 * `serve --workers N`: N processes sharing the port (node:cluster hands each connection to one). Each
 * worker is a node of its own — its own store connections and leases — so quota and QPS stay exact
 * across them as across machines. The primary prints the address once, passes SIGTERM/SIGINT on, waits
 * for every worker to drain, and starts a worker again if one dies while serving.
 */
export async function runWorkers(workers: number): Promise<void> {
  let stopping = false;
  let announced = false;
  const fork = () => {
    const worker = cluster.fork({ REALNAME_WORKER: '1' });
    worker.on('message', (m: { type?: string; address?: string }) => {
      if (m.type !== 'listening' || announced) return;
      announced = true;
      process.stderr.write(`realname listening on ${m.address} (${workers} workers)\n`);
    });
  };
  for (let i = 0; i < workers; i++) fork();
  await new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping) {
        process.stderr.write(`realname: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
        setTimeout(fork, 1000).unref();
        return;
      }
      if (code !== 0) process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
    const shutdown = () => {
      stopping = true;
      process.stderr.write('realname: draining in-flight requests\n');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
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
