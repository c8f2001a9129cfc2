import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { startConsole, type RunningConsole } from '../console/index.ts';
import { listenFailure } from '../listen-failure.ts';
import type { Serving } from '../runtime.ts';

const CONSOLE_LISTEN = { host: '--console-host', port: '--console-port' };

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** Starts the console when `--console-port` asks for one (in one process only: the first worker's under --workers). */
export async function consoleFor(serving: Serving): Promise<RunningConsole | undefined> {
  const { config } = serving.runtime;
  if (config.consolePort === undefined) return undefined;
  if (cluster.isWorker && cluster.worker?.id !== 1) return undefined;
  // With the API's certificate the console is https too (its cookies are Secure either way).
  const https = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const at = { host: config.consoleHost, port: config.consolePort };
  const running = await startConsole(serving.runtime, at, https ? { https } : {}).catch((error: unknown) => {
    throw listenFailure(error, at, CONSOLE_LISTEN);
  });
  process.stderr.write(`realname console on ${running.address}\n`);
  // Browsers keep a Secure cookie over plain http from loopback only: elsewhere the console needs https
  // (its own certificate, or a proxy in front that terminates TLS).
  if (!https && !isLoopback(config.consoleHost)) {
    process.stderr.write(`realname: the console listens on ${config.consoleHost} over plain http: browsers will not keep its session cookie unless a proxy in front serves it over https (or give --tls-cert/--tls-key)\n`);
  }
  return running;
}
