import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The service's one logger (pino), passed in wherever something may need to say what happened. */
export type Logger = PinoLogger;

/**
 * Field names that carry a factor, in the domain's words and every dialect's: the logger censors them
 * wherever they appear at the top level or one level down, so even a mistaken `log.info({ body })`
 * writes no plaintext. Messages themselves never quote input (describeError drops them).
 */
export const FACTOR_FIELDS = [
  'name',
  'idNumber',
  'bankCard',
  'phone',
  'factors',
  'idcard_number',
  'idcard_name',
  'bankcard_number',
  'idNo',
  'cardNumber',
  'IdCard',
  'Name',
  'BankCard',
  'Phone',
  'body',
  'authorization',
] as const;

const REDACT_PATHS = FACTOR_FIELDS.flatMap((field) => [field, `*.${field}`]);

export interface LoggerOptions {
  level?: string;
  /** json (default): one JSON object a line; pretty: one readable line a record (pino-pretty, in a worker thread). */
  format?: 'json' | 'pretty';
  /** Where lines go (default: stderr, so a CLI command's stdout stays its output). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.destination ??
    (options.format === 'pretty'
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, colorize: process.stderr.isTTY === true, translateTime: 'SYS:standard', ignore: 'pid,hostname' },
        })
      : pino.destination({ dest: 2, sync: false }));
  return pino({ level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/** For callers that were given no logger: warnings and errors still reach stderr. */
let fallback: Logger | undefined;
export function defaultLogger(): Logger {
  return (fallback ??= createLogger({ level: 'warn' }));
}
