import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { TenantError } from '../access/tenants.ts';
import { appsCommand } from './apps.ts';
import { demoCommand } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';
import { registryCommand } from './registry.ts';
import { serveCommand } from './serve.ts';

/** Errors a user can fix: printed as one line, exit status 1, no stack trace. */
const USER_ERRORS = [ConfigError, TenantError];

export function program(): Command {
  const root = new Command('realname')
    .description('Self-hosted real-name verification (实名核验)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  for (const command of [serveCommand(), demoCommand(), appsCommand(), registryCommand(), inspectCommand()]) {
    root.addCommand(command);
  }
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
    if (USER_ERRORS.some((type) => error instanceof type) || (error as NodeJS.ErrnoException).code === 'EKEY') {
      process.stderr.write(`realname: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
