import { Command, InvalidArgumentError } from 'commander';
import { validateIdNumber } from '../core/index.ts';
import { CliError } from './errors.ts';
import { withDataOptions } from './options.ts';
import { readAll } from './stdin.ts';
import { emit, withRuntime } from './runtime.ts';

export function cacheCommand(): Command {
  const cache = new Command('cache').description('answers remembered from upstream vendors');
  withDataOptions(cache.command('purge'))
    .description('forget remembered answers: all, one app\'s (--app), or one person\'s (--id-number -, read from stdin); every node within a second')
    .option('--app <appid>', 'only the answers bought for this app')
    .option('--id-number <dash>', 'must be "-": the ID number is read from stdin', (v) => {
      if (v !== '-') throw new InvalidArgumentError('pass "-" and write the ID number to stdin');
      return v;
    })
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      let idNumber: string | undefined;
      if (options.idNumber) {
        const valid = validateIdNumber((await readAll(process.stdin)).trim(), new Date());
        if (!valid.ok) throw new CliError('that is not a valid ID number');
        idNumber = valid.idNumber;
      }
      const app: string | undefined = options.app;
      const { purged, shared } = await withRuntime(options, 'existing', async (runtime) => {
        const answers = runtime.services.cache;
        if (!answers) throw new CliError('the result cache is off');
        // An app that is not there is an error, as everywhere else: a typo would otherwise purge nothing and say so in silence.
        if (app !== undefined) await runtime.services.tenants.require(app);
        const purged = idNumber ? await answers.forgetPerson(idNumber) : await answers.purge(app);
        return { purged, shared: runtime.store.resultCache?.shared === true };
      });
      const whose = idNumber ? "one person's" : app ? `app ${app}'s` : 'all';
      // A cache in each node's memory is not this process's to count: each node forgets (and logs how many) within a second.
      emit(options, { purged: shared ? purged : null, shared, ...(app ? { app } : {}) }, () =>
        shared
          ? `purged ${purged} remembered ${purged === 1 ? 'answer' : 'answers'} (${whose}, in the shared cache)`
          : `purge noted (${whose}): every running node forgets those answers within a second and logs how many it removed (its cache is in its memory)`,
      );
    });
  return cache;
}
