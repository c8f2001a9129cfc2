import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, STORE_KINDS, type Config } from '../config.ts';
import { checkCidrs, CidrError } from '../access/cidr.ts';
import { CHECK_KINDS, isCheckKind, type CheckKind } from '../core/factors.ts';

/** Options every command takes: where the data and the key live, and an optional config file. */
export function withDataOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory (default ./data; env REALNAME_DATA)')
    .option('--key-file <file>', 'master key file (default <data>/master.key; env REALNAME_MASTER_KEY holds the key itself)')
    .option('--config <file>', 'JSON config file (default <data>/realname.json when present)')
    .option('--store <kind>', `storage backend: ${STORE_KINDS.join(' or ')} (default sqlite; env REALNAME_STORE)`, storeKind)
    .option('--postgres-url <url>', 'PostgreSQL URL for --store postgres (prefer env REALNAME_POSTGRES_URL: flags show in ps)')
    .option('--redis-url <url>', 'Redis URL for rate limits and nonces with --store postgres (env REALNAME_REDIS_URL)');
}

function storeKind(value: string): string {
  if (!(STORE_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${STORE_KINDS.join(' or ')}`);
  return value;
}

export function configFrom(options: Record<string, unknown>): Config {
  return loadConfig({
    data: options.data as string | undefined,
    keyFile: options.keyFile as string | undefined,
    config: options.config as string | undefined,
    host: options.host as string | undefined,
    port: options.port as number | undefined,
    tlsCert: options.tlsCert as string | undefined,
    tlsKey: options.tlsKey as string | undefined,
    bodyLimit: options.bodyLimit as number | undefined,
    trustProxy: options.trustProxy as string[] | undefined,
    timestampWindow: options.timestampWindow as number | undefined,
    auditBuffer: options.auditBuffer as number | undefined,
    shutdownGrace: options.shutdownGrace as number | undefined,
    headersTimeout: options.headersTimeout as number | undefined,
    requestTimeout: options.requestTimeout as number | undefined,
    keepAliveTimeout: options.keepAliveTimeout as number | undefined,
    connectionsPerClient: options.connectionsPerClient as number | undefined,
    logLevel: options.logLevel as string | undefined,
    store: options.store as string | undefined,
    postgresUrl: options.postgresUrl as string | undefined,
    redisUrl: options.redisUrl as string | undefined,
  });
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
