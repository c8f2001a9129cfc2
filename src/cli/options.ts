import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from './errors.ts';
import { flagOf, loadConfig, SETTINGS, SettingError, type Config, type Setting, type SettingScope, type SettingSpec } from '../config.ts';
import { checkCidrs, CidrError } from '../access/cidr.ts';
import { CHECK_KINDS, isCheckKind, type CheckKind } from '../core/factors.ts';

/** A setting's rule as a flag's parser: a broken value is a usage error (exit 2) naming the rule. */
function settingParser(spec: SettingSpec): (value: string) => unknown {
  return (value) => {
    try {
      return spec.parse(value);
    } catch (error) {
      if (error instanceof SettingError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** Defaults a command documents differently (demo: its own data dir). */
export type DefaultTexts = Partial<Record<Setting, string>>;

function addSettings(command: Command, scope: SettingScope, defaults: DefaultTexts): Command {
  const plain = (text: string) => text.replace(/`/g, '');
  for (const spec of SETTINGS.filter((s) => s.scope === scope)) {
    const fallback = defaults[spec.key] ?? spec.defaultText;
    command.option(`${flagOf(spec.key)} <${spec.arg}>`, `${plain(spec.meaning)} (default ${plain(fallback)}; env ${spec.env})`, settingParser(spec));
  }
  return command;
}

/** Options every command that opens the store takes: where the data and the key live, the backend, a config file. */
export function withDataOptions(command: Command, defaults: DefaultTexts = {}): Command {
  addSettings(command, 'every command', defaults);
  return command.option('--config <file>', 'JSON config file (default <data>/realname.json when present; env REALNAME_CONFIG)');
}

/** The server's own settings (serve and demo). */
export function withServeOptions(command: Command, defaults: DefaultTexts = {}): Command {
  return addSettings(withDataOptions(command, defaults), 'serve, demo', defaults);
}

/** The Config for a command's parsed options: flags first, then the environment, the config file and defaults. */
export function configFrom(options: Record<string, unknown>): Config {
  const flags: Record<string, unknown> = { config: options.config };
  for (const { key } of SETTINGS) flags[key] = options[key];
  return loadConfig(flags as Parameters<typeof loadConfig>[0]);
}

function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

export const wholeNumber = atLeast(0);

/** One rule, one message: "abc" and "0" are both told ">= 1". */
export const positiveNumber = atLeast(1);

/**
 * Options whose value is personal data or a secret (they take only "-" and read it from stdin). A value
 * given on the command line anyway is never echoed in the error: it would land in a terminal's scroll-back
 * and in logs of whatever ran the command.
 */
const SENSITIVE_OPTIONS = new Set(['--id-number', '--bank-card', '--phone', '--credentials']);

/**
 * Every value option of a command, guarded once (main's program setup calls this for each command):
 * a value that looks like a flag (`--name --json`) is a forgotten value, not a value, and an option
 * taking personal data says what it expects without repeating what it was given.
 */
export function guardOptionValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required) continue; // a boolean, or an optional value (commander never takes a flag for it)
    const parse = option.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
    const sensitive = SENSITIVE_OPTIONS.has(option.long ?? option.flags);
    option.argParser((value: string, previous: unknown) => {
      if (value.startsWith('--')) {
        // a value cannot start with -- (no ID number, name or number does): it is the next flag
        throw new UsageError(command, `option '${option.flags}' needs a value: '${value}' is a flag, not a value`);
      }
      if (!parse) return value;
      if (!sensitive) return parse(value, previous);
      try {
        return parse(value, previous);
      } catch (error) {
        const rule = error instanceof InvalidArgumentError ? error.message : 'the value is not valid';
        throw new UsageError(command, `option '${option.flags}': ${rule} (the value given is not shown: it may be personal data)`);
      }
    });
  }
}

export function checkKinds(value: string): CheckKind[] {
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !isCheckKind(k));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${CHECK_KINDS.join(', ')}`);
  }
  return kinds as CheckKind[];
}

export function cidrList(value: string): string[] {
  try {
    return checkCidrs(value.split(','));
  } catch (error) {
    if (error instanceof CidrError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
