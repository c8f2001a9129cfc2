import { Command, InvalidArgumentError } from 'commander';
import { Operators, ROLES } from '../console/operators.ts';
import { withDataOptions } from './options.ts';
import { emit, withRuntime } from './runtime.ts';
import { readAll } from './stdin.ts';

const json = (command: Command) => command.option('--json', 'print one JSON object');

function role(value: string): string {
  if (!ROLES.includes(value as (typeof ROLES)[number])) throw new InvalidArgumentError(`expected ${ROLES.join(' or ')}`);
  return value;
}

/** The password from stdin (never a flag: `ps`, shell history); a terminal is asked without echo by the shell's `read -s`. */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (one line), then Enter and Ctrl-D:\n');
  return readAll(process.stdin);
}

export function operatorsCommand(): Command {
  const operators = new Command('operators').description('who may sign in to the web console (serve --console-port)');

  json(withDataOptions(operators.command('add')))
    .description('add an operator; the password is read from stdin and stored as an scrypt hash')
    .argument('<name>')
    .requiredOption('--role <role>', 'viewer (reads every page) or admin (changes apps, sources, the registry; reports and erases subjects)', role)
    .action(async (name: string, options) => {
      const password = await passwordFromStdin();
      const added = await withRuntime(options, 'create', (runtime) => new Operators(runtime.store.operators).add(name, options.role, password));
      emit(options, added, () => `operator ${added.name} added (${added.role})`);
    });

  json(withDataOptions(operators.command('passwd')))
    .description("set an operator's password (read from stdin)")
    .argument('<name>')
    .action(async (name: string, options) => {
      const password = await passwordFromStdin();
      await withRuntime(options, 'existing', (runtime) => new Operators(runtime.store.operators).setPassword(name, password));
      emit(options, { name, changed: true }, () => `operator ${name}: password changed`);
    });

  json(withDataOptions(operators.command('list')))
    .description('list the operators')
    .action(async (options) => {
      const list = await withRuntime(options, 'existing', (runtime) => new Operators(runtime.store.operators).list());
      emit(options, list.map((o) => ({ ...o, createdAt: new Date(o.createdAt).toISOString() })), () =>
        list.length === 0 ? 'no operators (realname operators add NAME --role admin adds one)' : list.map((o) => `${o.name}  ${o.role}`).join('\n'),
      );
    });

  json(withDataOptions(operators.command('remove')))
    .description('remove an operator (their console sessions end at their next request)')
    .argument('<name>')
    .action(async (name: string, options) => {
      await withRuntime(options, 'existing', (runtime) => new Operators(runtime.store.operators).remove(name));
      emit(options, { name, removed: true }, () => `operator ${name} removed`);
    });
  return operators;
}
