import cluster from 'node:cluster';
import { Command } from 'commander';
import { serve, type Serving } from '../runtime.ts';
import { configFrom, withServeOptions } from './options.ts';
import { notice, withRuntime } from './runtime.ts';
import { announceListening, isWorker, runWorkers } from './workers.ts';
import { consoleFor } from './console.ts';
import { MIN_RETENTION_DAYS } from './audit-options.ts';

/**
 * Runs until SIGTERM/SIGINT, then drains in-flight requests and exits. The signal handlers are in
 * place before the store is opened: a signal during start-up stops the server as soon as it is up,
 * and one that comes right after "listening on" is never the default (abrupt) exit.
 */
export async function serveUntilSignalled(options: Record<string, unknown>, onListening?: (address: string) => void): Promise<void> {
  let signalled!: () => void;
  const stopAsked = new Promise<void>((resolve) => (signalled = resolve));
  // A worker hears a signal twice when its whole group is signalled (a terminal's Ctrl-C, `kill -- -pgid`):
  // once itself, once passed on by the primary. The second must not cut its drain short.
  const listen = isWorker() ? process.on.bind(process) : process.once.bind(process);
  listen('SIGTERM', signalled);
  listen('SIGINT', signalled);
  let serving: Serving;
  try {
    serving = await serve(configFrom(options), { store: options.init === true ? 'create' : 'existing', worker: isWorker() });
  } catch (error) {
    process.off('SIGTERM', signalled);
    process.off('SIGINT', signalled);
    throw error;
  }
  if (serving.created) notice(serving.created);
  const { retentionDays } = configFrom(options);
  if (retentionDays < MIN_RETENTION_DAYS) notice(`warning: --retention-days ${retentionDays} keeps audit records under the six-month minimum the Cybersecurity Law asks (${MIN_RETENTION_DAYS} days)`);
  if (serving.metricsAddress) process.stderr.write(`realname metrics at ${serving.metricsAddress}/metrics\n`);
  // The console is this process's (its sessions live in its memory); with --workers, the first worker's.
  let console_: Awaited<ReturnType<typeof consoleFor>>;
  try {
    console_ = await consoleFor(serving);
  } catch (error) {
    await serving.stop().catch(() => undefined);
    throw error;
  }
  onListening?.(serving.address);
  if (isWorker()) announceListening(serving.address);
  else process.stderr.write(`realname listening on ${serving.address}\n`);
  await stopAsked;
  process.stderr.write('realname: draining in-flight requests\n');
  await console_?.close().catch(() => undefined);
  await serving.stop().catch((error: unknown) => {
    process.stderr.write(`realname: shutdown failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}

export function serveCommand(): Command {
  return withServeOptions(new Command('serve'))
    .description('serve the HTTP API (never creates tenants: use `realname apps create`)')
    .option('--init', 'create the store (and a master key) when there is none; without it a missing store is an error')
    .action(async (options) => {
      // --workers N: a primary that forks N workers sharing the port; each worker serves as a node of its own.
      const { workers } = configFrom(options);
      if (workers > 1 && !isWorker()) {
        // The store is made (with --init) once, here, before any worker opens it: never two new master keys.
        if (options.init === true) await withRuntime(options, 'create', async () => undefined);
        const { metricsPort, host } = configFrom(options);
        await runWorkers(workers, metricsPort === undefined ? undefined : { host, port: metricsPort });
      } else {
        try {
          await serveUntilSignalled(options);
        } finally {
          // A worker's channel to the primary keeps its event loop alive: close it, and a drained (or failed) worker
          // exits. cluster's own disconnect: a bare process.disconnect() makes node exit the worker with 0 at once,
          // before its failure is printed and its exit code set.
          if (isWorker()) cluster.worker?.disconnect();
        }
      }
    });
}
