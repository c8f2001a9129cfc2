import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Runtime settings. Precedence: command-line flags > REALNAME_* environment > config file > defaults. */
export interface Config {
  data: string;
  keyFile: string;
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Request body limit in bytes. */
  bodyLimit: number;
  /** CIDRs of proxies whose X-Forwarded-For is believed. */
  trustProxy: string[];
  /** Per-source time limit in milliseconds. */
  sourceTimeoutMs: number;
  /** How long a node's leased quota units last unrenewed: a crashed node's come back after this (ms). */
  quotaLeaseTtlMs: number;
  /** SUBMAIL dialect: how far (seconds) a request's timestamp may be from now, either way. */
  timestampWindow: number;
  logLevel: string;
  /** Where apps, quota, registry, counters and audit live: the embedded SQLite file in `data`, or a shared PostgreSQL. */
  store: StoreKind;
  /** Required with store postgres. */
  postgresUrl?: string;
  /** With store postgres: rate limits and replay nonces in Redis instead. */
  redisUrl?: string;
  /** Prefix of every Redis key (default "realname:"), so deployments can share a server. */
  redisPrefix?: string;
}

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

type Setting = keyof Config;

const DEFAULTS = {
  data: './data',
  host: '127.0.0.1',
  port: 8080,
  bodyLimit: 16 * 1024,
  trustProxy: [] as string[],
  sourceTimeoutMs: 3000,
  quotaLeaseTtlMs: 10_000,
  timestampWindow: 300,
  logLevel: 'info',
  store: 'sqlite' as StoreKind,
};

const ENV: Record<Setting, string> = {
  data: 'REALNAME_DATA',
  keyFile: 'REALNAME_KEY_FILE',
  host: 'REALNAME_HOST',
  port: 'REALNAME_PORT',
  tlsCert: 'REALNAME_TLS_CERT',
  tlsKey: 'REALNAME_TLS_KEY',
  bodyLimit: 'REALNAME_BODY_LIMIT',
  trustProxy: 'REALNAME_TRUST_PROXY',
  sourceTimeoutMs: 'REALNAME_SOURCE_TIMEOUT_MS',
  quotaLeaseTtlMs: 'REALNAME_QUOTA_LEASE_TTL_MS',
  timestampWindow: 'REALNAME_TIMESTAMP_WINDOW',
  logLevel: 'REALNAME_LOG_LEVEL',
  store: 'REALNAME_STORE',
  postgresUrl: 'REALNAME_POSTGRES_URL',
  redisUrl: 'REALNAME_REDIS_URL',
  redisPrefix: 'REALNAME_REDIS_PREFIX',
};

const NUMERIC: ReadonlySet<Setting> = new Set(['port', 'bodyLimit', 'sourceTimeoutMs', 'quotaLeaseTtlMs', 'timestampWindow']);

export class ConfigError extends Error {}

export type Flags = Partial<Record<Setting | 'config', string | number | string[] | undefined>>;

export function loadConfig(flags: Flags, env: NodeJS.ProcessEnv = process.env): Config {
  const fromEnv: Flags = {};
  for (const [setting, name] of Object.entries(ENV) as [Setting, string][]) {
    if (env[name] !== undefined && env[name] !== '') fromEnv[setting] = env[name];
  }
  const data = String(flags.data ?? fromEnv.data ?? DEFAULTS.data);
  const file = flags.config ?? env.REALNAME_CONFIG ?? join(data, 'realname.json');
  const fromFile = readConfigFile(String(file), flags.config !== undefined || env.REALNAME_CONFIG !== undefined);

  const pick = (setting: Setting) => flags[setting] ?? fromEnv[setting] ?? fromFile[setting];
  const config: Config = { ...DEFAULTS, data: resolve(data), keyFile: '' };
  for (const setting of Object.keys(ENV) as Setting[]) {
    const value = pick(setting);
    if (value === undefined || setting === 'data') continue;
    (config as unknown as Record<string, unknown>)[setting] = coerce(setting, value);
  }
  config.keyFile = resolve(config.keyFile || join(config.data, 'master.key'));
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError('TLS needs both a certificate and a key (--tls-cert and --tls-key)');
  }
  checkStore(config);
  return config;
}

function checkStore(config: Config): void {
  if (!(STORE_KINDS as readonly string[]).includes(config.store)) {
    throw new ConfigError(`store must be one of ${STORE_KINDS.join(', ')}, got ${config.store}`);
  }
  if (config.store === 'postgres' && !config.postgresUrl) {
    throw new ConfigError('store postgres needs a connection URL (--postgres-url or REALNAME_POSTGRES_URL)');
  }
  if (config.store !== 'postgres' && config.redisUrl) {
    throw new ConfigError('a Redis URL is only used with store postgres (--store postgres)');
  }
}

function readConfigFile(file: string, required: boolean): Flags {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`config file not found: ${file}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold one JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in ENV)) throw new ConfigError(`config file ${file}: unknown setting "${key}"`);
  }
  return parsed as Flags;
}

function coerce(setting: Setting, value: string | number | string[]): Config[Setting] {
  if (NUMERIC.has(setting)) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${setting} must be a non-negative integer, got ${String(value)}`);
    return n;
  }
  if (setting === 'trustProxy') {
    return Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim()).filter(Boolean);
  }
  return String(value);
}
