import { InvalidArgumentError, type Command } from 'commander';
import { REFUSALS } from '../access/index.ts';
import { dayOf, startOfDay } from '../core/calendar.ts';
import type { FactorName } from '../store/types.ts';
import { UsageError } from './errors.ts';
import { readAll } from './stdin.ts';

/** The flags that name a person by a factor, each read from stdin: flag → factor. */
export const FACTOR_FLAGS: readonly [flag: string, option: string, factor: FactorName][] = [
  ['--id-number <dash>', 'idNumber', 'idNumber'],
  ['--name <dash>', 'name', 'name'],
  ['--bank-card <dash>', 'bankCard', 'bankCard'],
  ['--phone <dash>', 'phone', 'phone'],
];

export const dashOnly = (v: string): string => {
  if (v !== '-') throw new InvalidArgumentError('must be "-": write the value to stdin (it stays out of shell history and ps)');
  return v;
};

const VERDICTS = ['match', 'mismatch', 'not_found', 'invalid', 'unavailable'];

export const verdictOption = (v: string): string => {
  if (!VERDICTS.includes(v)) throw new InvalidArgumentError(`expected ${VERDICTS.join(', ')}`);
  return v;
};

export const refusalOption = (v: string): string => {
  if (!(REFUSALS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${REFUSALS.join(', ')}`);
  return v;
};

/** `7d`: that many days (a duration). */
export function days(value: string): number {
  const match = /^(\d{1,5})d$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError('expected a number of days such as 400d');
  return Number(match[1]);
}

/**
 * A moment as a person writes it: YYYY-MM-DD (that day's start in the service's zone), an ISO time
 * with its offset, or `Nd` (N days ago). Checked when the zone is known, so kept as text until then.
 */
export function moment(value: string): string {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) || /^\d{1,5}d$/.test(text)) return text;
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text))) return text;
  throw new InvalidArgumentError('expected YYYY-MM-DD, an ISO time such as 2026-12-01T08:00:00+08:00, or a number of days ago such as 7d');
}

/** The moment `text` names, in the zone; a day the calendar does not have (2026-02-31) is a usage error of `command`. */
export function resolveMoment(command: Command, text: string, timeZone: string, now: number): number {
  if (/^\d+d$/.test(text)) return now - Number(text.slice(0, -1)) * 86_400_000;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = startOfDay(text, timeZone);
    if (!Number.isFinite(start) || dayOf(start, timeZone) !== text) throw new UsageError(command, `${text} is not a calendar day`);
    return start;
  }
  return Date.parse(text);
}

/** `--month 2026-12` */
export function month(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new InvalidArgumentError('expected a month such as 2026-12');
  return value.trim();
}

/** The one factor flag given (its value read from stdin), or none; two are a usage error. */
export async function factorFromStdin(command: Command, options: Record<string, unknown>): Promise<{ name: FactorName; value: string } | undefined> {
  const given = FACTOR_FLAGS.filter(([, option]) => options[option] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new UsageError(command, 'look up by one factor at a time (stdin holds one value)');
  const value = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  if (value.trim() === '') throw new UsageError(command, `no value on stdin for ${given[0]![0].split(' ')[0]}`);
  return { name: given[0]![2], value };
}
