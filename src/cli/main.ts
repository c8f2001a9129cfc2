import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { TenantError } from '../access/tenants.ts';
import { SubjectError } from '../audit/subject.ts';
import { ApiKeyError } from '../access/api-keys.ts';
import { KeyError } from '../keys/ring.ts';
import { MasterKeyError } from '../keys/master.ts';
import { RegistryFileError } from '../registry/parse.ts';
import { StoreStateError } from '../store/index.ts';
import { appsCommand } from './apps.ts';
import { batchCommand } from './batch.ts';
import { CliError, commandPath, describeSystemError, isUnreachable, UsageError, usageLine } from './errors.ts';
import { demoCommand } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';
import { keysCommand } from './keys.ts';
import { registryCommand } from './registry.ts';
import { guardOptionValues } from './options.ts';
import { failureNotes } from './runtime.ts';
import { serveCommand } from './serve.ts';
import { cacheCommand } from './cache.ts';
import { routesCommand, sourcesCommand } from './sources.ts';
import { SourceError } from '../sources/upstream/admin.ts';
import { OperatorError } from '../console/operators.ts';
import { operatorsCommand } from './operators.ts';
import { auditCommand } from './audit.ts';
import { subjectCommand } from './subject.ts';
import { usageCommand } from './usage.ts';

/** Errors a user can fix: printed as one line, exit status 1, no stack trace. */
const USER_ERRORS = [ApiKeyError, CliError, ConfigError, TenantError, MasterKeyError, KeyError, RegistryFileError, StoreStateError, SourceError, OperatorError, SubjectError];

export function program(): Command {
  const root = new Command('realname')
    .description('Self-hosted real-name verification (实名核验)')
    .version('0.1.0')
    .option('--debug', 'print the stack trace of a failure (env REALNAME_DEBUG=1)');
  for (const command of [serveCommand(), demoCommand(), appsCommand(), registryCommand(), keysCommand(), inspectCommand(), sourcesCommand(), routesCommand(), cacheCommand(), operatorsCommand(), auditCommand(), subjectCommand(), usageCommand(), batchCommand()]) {
    root.addCommand(command);
  }
  // addCommand does not pass settings down: every command must throw (exit 2) rather than exit(1) on
  // misuse, and say how it is used in one line rather than print its whole help.
  const settle = (command: Command) => {
    command
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`realname: ${text.replace(/^error: /, '')}`) })
      .showHelpAfterError(usageLine(command));
    guardOptionValues(command);
    // A group called bare or with a wrong command: its commands in one line, not its whole help — unless
    // the group has an action of its own (`realname sources` prints its table). Commander keeps no public
    // word for "has an action", hence its own field.
    const ownAction = (command as unknown as { _actionHandler?: unknown })._actionHandler !== undefined && (command as unknown as { _actionHandler?: unknown })._actionHandler !== null;
    if (command.commands.length > 0 && command !== root && !ownAction) {
      command
        .usage('[options] <command>')
        .argument('[command]')
        .action((name: string | undefined) => {
          const names = command.commands.map((c) => c.name()).join(', ');
          const path = commandPath(command).replace(/^realname /, '');
          throw new UsageError(command, name === undefined ? `${path} needs a command: ${names}` : `unknown command '${name}' (the commands: ${names})`);
        });
    }
    command.commands.forEach(settle);
  };
  settle(root);
  return root;
}

export interface Output {
  stderr: (text: string) => void;
}

/** Runs the CLI; returns the exit status. Every failure becomes one line on stderr (the stack only with --debug). */
export async function main(argv: string[], out: Output = { stderr: (text) => process.stderr.write(text) }): Promise<number> {
  const debug = argv.includes('--debug') || process.env.REALNAME_DEBUG === '1';
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const { status, message } = explain(error);
    if (message !== undefined) out.stderr(`realname: ${message}\n`);
    for (const note of failureNotes.splice(0)) out.stderr(`realname: ${note}\n`);
    if (debug && error instanceof Error && !(error instanceof CommanderError)) out.stderr(`${error.stack}\n`);
    return status;
  }
}

/** The exit status and the line for a failure (commander has printed its own usage errors already). */
export function explain(error: unknown): { status: number; message?: string } {
  if (error instanceof CommanderError) {
    // help and version exit 0; a usage error (or a bare command group) exits 2
    return { status: error.exitCode === 0 ? 0 : 2 };
  }
  if (error instanceof UsageError) return { status: 2, message: `${error.message}\n${usageLine(error.command)}` };
  if (USER_ERRORS.some((type) => error instanceof type)) return { status: 1, message: (error as Error).message };
  if (isUnreachable(error)) return { status: 1, message: `cannot reach the store: ${(error as Error).message}` };
  const system = describeSystemError(error);
  if (system) return { status: 1, message: system };
  const text = error instanceof Error ? error.message : String(error);
  return { status: 1, message: `unexpected failure: ${text} (run again with --debug for the stack trace)` };
}
