import { InvalidArgumentError, type Command } from 'commander';
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

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

export function positiveNumber(value: string): number {
  const n = wholeNumber(value);
  if (n === 0) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
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
