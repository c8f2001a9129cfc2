import { Command, InvalidArgumentError } from 'commander';
import { validateIdNumber } from '../core/index.ts';
import { CliError } from './errors.ts';
import { withDataOptions } from './options.ts';
import { readAll } from './stdin.ts';
import { withRuntime } from './runtime.ts';

export function cacheCommand(): Command {
  const cache = new Command('cache').description('answers remembered from upstream vendors');
  withDataOptions(cache.command('purge'))
    .description('forget remembered answers: all, one app\'s (--app), or one person\'s (--id-number -, read from stdin); every node within a second')
    .option('--app <appid>', 'only the answers bought for this app')
    .option('--id-number <dash>', 'must be "-": the ID number is read from stdin', (v) => {
      if (v !== '-') throw new InvalidArgumentError('pass "-" and write the ID number to stdin');
      return v;
    })
    .action(async (options) => {
      let idNumber: string | undefined;
      if (options.idNumber) {
        const valid = validateIdNumber((await readAll(process.stdin)).trim(), new Date());
        if (!valid.ok) throw new CliError('that is not a valid ID number');
        idNumber = valid.idNumber;
      }
      await withRuntime(options, 'existing', async (runtime) => {
        const answers = runtime.services.cache;
        if (!answers) throw new CliError('the result cache is off');
        const purged = idNumber ? await answers.forgetPerson(idNumber) : await answers.purge(options.app);
        const shared = runtime.store.resultCache?.shared === true;
        process.stdout.write(`${JSON.stringify({ purged: shared ? purged : 'every node forgets them within a second (in-memory caches)', ...(options.app ? { app: options.app } : {}) })}\n`);
      });
    });
  return cache;
}
