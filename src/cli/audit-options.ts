import { InvalidArgumentError, type Command } from 'commander';
import { REFUSALS } from '../access/index.ts';
import { validateBankCard } from '../core/bank-card.ts';
import { dayOf, startOfDay } from '../core/calendar.ts';
import { validateIdNumber } from '../core/id-number.ts';
import { validateName } from '../core/name.ts';
import type { Invalid } from '../core/outcome.ts';
import { validatePhone } from '../core/phone.ts';
import { CHECK_KINDS } from '../core/factors.ts';
import { DIALECTS } from '../dialects/index.ts';
import { BATCH_DIALECT } from '../service/index.ts';
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

/** Every name an audit record's dialect can carry: the dialects served, and the REST dialect's batches. */
export const DIALECT_NAMES: readonly string[] = [...DIALECTS.map((d) => d.name), BATCH_DIALECT];

export const dialectOption = (v: string): string => {
  if (!DIALECT_NAMES.includes(v)) throw new InvalidArgumentError(`expected one of ${DIALECT_NAMES.join(', ')}`);
  return v;
};

export const kindOption = (v: string): string => {
  if (!(CHECK_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${CHECK_KINDS.join(', ')}`);
  return v;
};

export const refusalOption = (v: string): string => {
  if (!(REFUSALS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${REFUSALS.join(', ')}`);
  return v;
};

/** Audit records are kept at least this long: the Cybersecurity Law asks six months of network logs. */
export const MIN_RETENTION_DAYS = 180;

/** `7d`: that many days (a duration). */
export function days(value: string): number {
  const match = /^(\d{1,5})d$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError(`expected a number of days such as 400d (at least ${MIN_RETENTION_DAYS}d, the six-month legal minimum; 1d with --force)`);
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

/** `--until` must come after `--since`; it is exclusive, so one plain day is `--since D --until D+1` (said when both name one day). */
export function checkSpan(command: Command, since: { text: string; at: number }, until: { text: string; at: number }): void {
  if (until.at > since.at) return;
  const oneDay = /^\d{4}-\d{2}-\d{2}$/.test(since.text) && since.text === until.text;
  throw new UsageError(command, oneDay ? `--until is exclusive (before that day): for the one day ${since.text}, give --until the next day` : '--until must come after --since');
}

/** `--month 2026-12` */
export function month(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new InvalidArgumentError('expected a month such as 2026-12');
  return value.trim();
}

const VALIDATORS: Record<FactorName, (value: string) => { ok: true } | { ok: false; invalid: Invalid }> = {
  idNumber: (v) => validateIdNumber(v, new Date()),
  // Latin names are valid for foreigners' IDs: a lookup accepts either script.
  name: (v) => validateName(v, true),
  bankCard: validateBankCard,
  phone: validatePhone,
};

const LABEL: Record<FactorName, string> = { idNumber: 'ID number', name: 'name', bankCard: 'bank card', phone: 'phone' };

/**
 * One value of `factor` read from stdin: exactly one line, valid as that factor (a malformed value
 * finds nobody, and erasing "nobody" must not look like success). The value is never echoed.
 */
export async function readFactor(command: Command, factor: FactorName): Promise<string> {
  const lines = await stdinLines();
  const label = LABEL[factor];
  if (lines.length > 1) throw new UsageError(command, `stdin holds ${lines.length} lines: write one ${label}`);
  return checked(command, factor, lines[0]!, 'on stdin');
}

async function stdinLines(): Promise<string[]> {
  const lines = (await readAll(process.stdin)).split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `line` as a valid `factor`, trimmed; a usage error naming `where` otherwise (never the value). */
function checked(command: Command, factor: FactorName, line: string, where: string): string {
  const label = LABEL[factor];
  const value = line.trim();
  if (value === '') throw new UsageError(command, `no ${label} ${where}`);
  const result = VALIDATORS[factor](value);
  if (!result.ok) {
    const at = result.invalid.position === undefined ? '' : ` at character ${result.invalid.position}`;
    throw new UsageError(command, `the ${label} ${where} is not valid (${result.invalid.reason}${at}); the value is not shown`);
  }
  return value;
}

/**
 * A person from stdin: their ID number on the first line, then, optionally, one of their bank cards or
 * phone numbers a line (an 11-digit mobile number is a phone; a card has 15 to 19 digits).
 */
export async function readPerson(command: Command): Promise<{ idNumber: string; bankCards: string[]; phones: string[] }> {
  const [first, ...rest] = await stdinLines();
  const person = { idNumber: checked(command, 'idNumber', first!, 'on the first line of stdin'), bankCards: [] as string[], phones: [] as string[] };
  rest.forEach((line, i) => {
    const where = `on line ${i + 2} of stdin`;
    if (line.trim() === '') throw new UsageError(command, `line ${i + 2} of stdin is empty: write one bank card or phone a line after the ID number`);
    const digits = line.trim().replace(/^(\+|00)86/, '').replace(/[^0-9\uff10-\uff19]/g, '');
    // One person a run: a line that is an ID number is another person (or a mistake), never a card.
    if (validateIdNumber(line.trim(), new Date()).ok) throw new UsageError(command, `line ${i + 2} of stdin is an ID number: one person a run (their ID number first, then their bank cards and phones)`);
    if (digits.length === 11) person.phones.push(checked(command, 'phone', line, where));
    else person.bankCards.push(checked(command, 'bankCard', line, where));
  });
  return person;
}

/** The one factor flag given (its value read from stdin), or none; two are a usage error. */
export async function factorFromStdin(command: Command, options: Record<string, unknown>): Promise<{ name: FactorName; value: string } | undefined> {
  const given = FACTOR_FLAGS.filter(([, option]) => options[option] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new UsageError(command, 'look up by one factor at a time (stdin holds one value)');
  const name = given[0]![2];
  return { name, value: await readFactor(command, name) };
}
