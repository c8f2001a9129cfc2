import { Command } from 'commander';
import { serve } from '../runtime.ts';
import { cidrList, configFrom, positiveNumber, wholeNumber, withDataOptions } from './options.ts';

export function addServeOptions(command: Command): Command {
  return withDataOptions(command)
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8080; 0 picks a free one)', wholeNumber)
    .option('--tls-cert <file>', 'PEM certificate: serve https (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--body-limit <bytes>', 'request body limit (default 16384)', positiveNumber)
    .option('--trust-proxy <cidrs>', 'proxies whose X-Forwarded-For is believed', cidrList)
    .option('--timestamp-window <seconds>', 'SUBMAIL: accepted distance of a request timestamp from now (default 300)', positiveNumber)
    .option('--audit-buffer <records>', 'audit records held while the store is slow or down (default 10000)', positiveNumber)
    .option('--shutdown-grace <seconds>', 'on SIGTERM, how long to retry audit records a failing store has not taken (default 30)', wholeNumber)
    .option('--headers-timeout <seconds>', "a request's headers must arrive within this (default 10)", positiveNumber)
    .option('--request-timeout <seconds>', 'the whole request must arrive within this (default 30)', positiveNumber)
    .option('--keep-alive-timeout <seconds>', 'an idle keep-alive connection is closed after this (default 5)', positiveNumber)
    .option('--connections-per-client <n>', 'open connections one client address may hold, 0 for no cap (default 256)', wholeNumber);
}

/** Runs until SIGTERM/SIGINT, then drains in-flight requests and exits. */
export async function serveUntilSignalled(options: Record<string, unknown>, onListening?: (address: string) => void): Promise<void> {
  const serving = await serve(configFrom(options));
  onListening?.(serving.address);
  process.stderr.write(`realname listening on ${serving.address}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      process.stderr.write('realname: draining in-flight requests\n');
      serving.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`realname: shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

export function serveCommand(): Command {
  return addServeOptions(new Command('serve'))
    .description('serve the HTTP API (never creates tenants: use `realname apps create`)')
    .action(async (options) => {
      await serveUntilSignalled(options);
    });
}
