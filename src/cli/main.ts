import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { TenantError } from '../access/tenants.ts';
import { MasterKeyError } from '../keys/master.ts';
import { RegistryFileError } from '../registry/parse.ts';
import { appsCommand } from './apps.ts';
import { CliError } from './errors.ts';
import { demoCommand } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';
import { registryCommand } from './registry.ts';
import { serveCommand } from './serve.ts';
import { cacheCommand } from './cache.ts';
import { routesCommand, sourcesCommand } from './sources.ts';
import { SourceError } from '../sources/upstream/admin.ts';

/** Errors a user can fix: printed as one line, exit status 1, no stack trace. */
const USER_ERRORS = [CliError, ConfigError, TenantError, MasterKeyError, RegistryFileError, SourceError];

export function program(): Command {
  const root = new Command('realname')
    .description('Self-hosted real-name verification (实名核验)')
    .version('0.1.0');
  for (const command of [serveCommand(), demoCommand(), appsCommand(), registryCommand(), inspectCommand(), sourcesCommand(), routesCommand(), cacheCommand()]) {
    root.addCommand(command);
  }
  // addCommand does not pass settings down: every command must throw (exit 2) rather than exit(1) on misuse
  const settle = (command: Command) => {
    command.exitOverride().showHelpAfterError();
    command.commands.forEach(settle);
  };
  settle(root);
  return root;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2
      return error.exitCode === 0 ? 0 : 2;
    }
    if (USER_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`realname: ${(error as Error).message}\n`);
      return 1;
    }
    if (isUnreachable(error)) {
      process.stderr.write(`realname: cannot reach the store: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && UNREACHABLE.has(code)) return true;
  // pg and ioredis wrap several attempts in an AggregateError
  return error instanceof AggregateError && error.errors.some(isUnreachable);
}
