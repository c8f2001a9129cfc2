import { Command } from 'commander';
import { serve } from '../runtime.ts';
import { configFrom, withServeOptions } from './options.ts';
import { notice } from './runtime.ts';

/** Runs until SIGTERM/SIGINT, then drains in-flight requests and exits. */
export async function serveUntilSignalled(options: Record<string, unknown>, onListening?: (address: string) => void): Promise<void> {
  const serving = await serve(configFrom(options), { store: options.init === true ? 'create' : 'existing' });
  if (serving.created) notice(serving.created);
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
  return withServeOptions(new Command('serve'))
    .description('serve the HTTP API (never creates tenants: use `realname apps create`)')
    .option('--init', 'create the store (and a master key) when there is none; without it a missing store is an error')
    .action(async (options) => {
      await serveUntilSignalled(options);
    });
}
