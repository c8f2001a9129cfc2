import { Command, InvalidArgumentError } from 'commander';
import { readAll } from './stdin.ts';
import { formatInspect, inspect } from './inspect.ts';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('validate one value offline and show what it says (ID number, bank card or phone); "-" reads stdin')
    .argument('<value>', 'the value, or - to read it from stdin (keeps it out of shell history)')
    .option('--kind <kind>', 'idNumber, bankCard or phone (default: guessed)', (v) => {
      if (v !== 'idNumber' && v !== 'bankCard' && v !== 'phone') throw new InvalidArgumentError('expected idNumber, bankCard or phone');
      return v;
    })
    .option('--json', 'print one JSON object')
    .action(async (value: string, options) => {
      const text = value === '-' ? (await readAll()).trim() : value;
      const report = inspect(text, options.kind, new Date());
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatInspect(report)}\n`);
      process.exitCode = report.valid ? 0 : 1;
    });
}
