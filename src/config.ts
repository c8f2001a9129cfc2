import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkCidrs, CidrError } from './access/cidr.ts';
import { isTimeZone } from './core/calendar.ts';

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
  /** `serve`: processes sharing the port, each a node with its own leases. */
  workers: number;
  /** The web console's port; none: no console. */
  consolePort?: number;
  /** The address the console listens on (default loopback only). */
  consoleHost: string;
  /** SUBMAIL dialect: how far (seconds) a request's timestamp may be from now, either way. */
  timestampWindow: number;
  logLevel: LogLevel;
  /** pretty: one coloured line a record, for a person at a terminal; json: one JSON object a line, for a collector. */
  logFormat: LogFormat;
  /** Where apps, quota, registry, counters and audit live: the embedded SQLite file in `data`, or a shared PostgreSQL. */
  store: StoreKind;
  /** Required with store postgres. */
  postgresUrl?: string;
  /** With store postgres: rate limits and replay nonces in Redis instead. */
  redisUrl?: string;
  /** Prefix of every Redis key (default "realname:"), so deployments can share a server. */
  redisPrefix?: string;
  /** Most audit records held while the store is slow or down; checks answer unavailable from 90 % of it. */
  auditBuffer: number;
  /** With PostgreSQL: every audit commit waits for the WAL's flush to disk (power-cut durable, ~5 ms a commit). */
  postgresAuditSync: boolean;
  /** On SIGTERM, how long (seconds) to keep retrying audit records a failing store has not taken. */
  shutdownGrace: number;
  /** Seconds a request's headers may take to arrive (an idle new connection included). */
  headersTimeout: number;
  /** Seconds the whole request, body included, may take to arrive. */
  requestTimeout: number;
  /** Seconds an idle keep-alive connection is kept. */
  keepAliveTimeout: number;
  /** Open connections one client address may hold; 0 = no cap. */
  connectionsPerClient: number;
  /** Result cache: how long a match, a mismatch and a no-record from an upstream vendor are reused (seconds; 0 = never). */
  cacheTtlMatch: number;
  cacheTtlMismatch: number;
  cacheTtlNotFound: number;
  /** 'app' (default): an answer is reused for the app that bought it only; 'shared': for every app. */
  cacheScope: CacheScope;
  /** Whether a cache hit is charged to the app's quota (default true). */
  cacheHitsCharged: boolean;
  /** Entries the in-memory cache holds at most (the Redis cache is bounded by its TTLs). */
  cacheMaxEntries: number;
  /** Calendar days audit records are kept; `serve` purges older ones daily. */
  retentionDays: number;
  /** What "a day" is: retention, usage, daily limits and budgets count calendar days in this IANA zone. */
  timeZone: string;
  /** Serve GET /metrics on this port (on `host`) instead of the main port. */
  metricsPort?: number;
  /** Rows a second a node checks of its batches at most (0 = as fast as the sources answer). */
  batchRate: number;
  /** Rows one batch may hold at most. */
  batchMaxRows: number;
  /** Bytes one batch's upload may be at most. */
  batchMaxBytes: number;
}

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const CACHE_SCOPES = ['app', 'shared'] as const;
export type CacheScope = (typeof CACHE_SCOPES)[number];

export type Setting = keyof Config;

/** A value that breaks a setting's rule; the message starts with the setting's name ("port must be …"). */
export class SettingError extends Error {}

/** Where a setting applies: every command (where the store and its key are), or the server only. */
export type SettingScope = 'every command' | 'serve, demo';

/**
 * One setting: its config-file key, environment variable, flag, default and rule. The CLI's flags,
 * the loader below and the README's settings table (scripts/readme-settings.ts) are all made from this
 * list, so the three can never disagree.
 */
export interface SettingSpec {
  key: Setting;
  env: string;
  /** The flag's argument placeholder: the flag itself is `--<key in kebab case> <arg>`. */
  arg: string;
  scope: SettingScope;
  /** The default as documented (a computed default says how it is computed). */
  defaultText: string;
  meaning: string;
  /** Checks and converts a value from a flag (already a string), the environment or the config file. */
  parse(value: unknown): Config[Setting];
}

const text = (key: string) => (value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new SettingError(`${key} must be a non-empty string`);
  return value;
};

const wholeNumber = (key: string, min: number, max: number) => (value: unknown): number => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SettingError(`${key} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`);
  }
  return n;
};

/** A duration or a count with a floor: "must be at least 1 second", as a person would say it. */
const atLeast = (key: string, min: number, max: number, unit: string) => (value: unknown): number => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n < min) throw new SettingError(`${key} must be at least ${min} ${unit}`);
  return wholeNumber(key, min, max)(value);
};

const yesNo = (key: string) => (value: unknown): boolean => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingError(`${key} must be true or false`);
};

/** "a, b or c" */
export const choices = (values: readonly string[]): string => (values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`);

const oneOf = <T extends string>(key: string, values: readonly T[]) => (value: unknown): T => {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw new SettingError(`${key}: expected ${choices(values)}`);
  return value as T;
};

const timeZone = (key: string) => (value: unknown): string => {
  if (typeof value !== 'string' || !isTimeZone(value)) throw new SettingError(`${key} must be an IANA time zone such as Asia/Shanghai or UTC`);
  return value;
};

const cidrs = (key: string) => (value: unknown): string[] => {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : undefined;
  if (!list) throw new SettingError(`${key} must be a comma-separated list of addresses or CIDRs`);
  try {
    return checkCidrs(list);
  } catch (error) {
    if (error instanceof CidrError) throw new SettingError(`${key}: ${error.message}`);
    throw error;
  }
};

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'data', env: 'REALNAME_DATA', arg: 'dir', scope: 'every command', defaultText: './data', meaning: 'data directory: the SQLite store, `master.key`, `realname.json`', parse: text('data') },
  {
    key: 'keyFile',
    env: 'REALNAME_KEY_FILE',
    arg: 'file',
    scope: 'every command',
    defaultText: '`<data>/master.key`',
    meaning: 'master key file, one base64 key a line (a key ring); ignored when `REALNAME_MASTER_KEY` is set',
    parse: text('keyFile'),
  },
  { key: 'store', env: 'REALNAME_STORE', arg: 'kind', scope: 'every command', defaultText: 'sqlite', meaning: 'storage backend: `sqlite` (in the data dir) or `postgres`', parse: oneOf('store', STORE_KINDS) },
  {
    key: 'postgresUrl',
    env: 'REALNAME_POSTGRES_URL',
    arg: 'url',
    scope: 'every command',
    defaultText: '—',
    meaning: 'PostgreSQL URL, required with `postgres`; a schema can be chosen in the URL: `?options=-c%20search_path%3Drealname` (prefer the environment: flags show in `ps`)',
    parse: text('postgresUrl'),
  },
  { key: 'redisUrl', env: 'REALNAME_REDIS_URL', arg: 'url', scope: 'every command', defaultText: '—', meaning: 'only with `postgres`: rate limits and replay nonces move to Redis', parse: text('redisUrl') },
  { key: 'redisPrefix', env: 'REALNAME_REDIS_PREFIX', arg: 'prefix', scope: 'every command', defaultText: '`realname:`', meaning: 'prefix of every Redis key, so deployments can share a server', parse: text('redisPrefix') },
  { key: 'host', env: 'REALNAME_HOST', arg: 'host', scope: 'serve, demo', defaultText: '127.0.0.1', meaning: 'address to listen on (`0.0.0.0`: every interface)', parse: text('host') },
  { key: 'port', env: 'REALNAME_PORT', arg: 'port', scope: 'serve, demo', defaultText: '8080', meaning: 'port to listen on (0 picks a free one)', parse: wholeNumber('port', 0, 65_535) },
  { key: 'tlsCert', env: 'REALNAME_TLS_CERT', arg: 'file', scope: 'serve, demo', defaultText: '—', meaning: 'PEM certificate (chain): serve https, with `tlsKey`', parse: text('tlsCert') },
  { key: 'tlsKey', env: 'REALNAME_TLS_KEY', arg: 'file', scope: 'serve, demo', defaultText: '—', meaning: 'PEM private key of the certificate', parse: text('tlsKey') },
  {
    key: 'bodyLimit',
    env: 'REALNAME_BODY_LIMIT',
    arg: 'bytes',
    scope: 'serve, demo',
    defaultText: '16384',
    meaning: 'largest request body a dialect accepts (bytes); larger bodies get the dialect\'s "too large" code',
    parse: wholeNumber('bodyLimit', 1, 1024 * 1024),
  },
  {
    key: 'trustProxy',
    env: 'REALNAME_TRUST_PROXY',
    arg: 'cidrs',
    scope: 'serve, demo',
    defaultText: 'none',
    meaning: 'proxies (comma-separated addresses or CIDRs) whose `X-Forwarded-For` is believed',
    parse: cidrs('trustProxy'),
  },
  {
    key: 'sourceTimeoutMs',
    env: 'REALNAME_SOURCE_TIMEOUT_MS',
    arg: 'ms',
    scope: 'serve, demo',
    defaultText: '3000',
    meaning: 'time limit of one source (ms); a slower source counts as unreachable and the next is asked',
    parse: wholeNumber('sourceTimeoutMs', 1, 600_000),
  },
  {
    key: 'quotaLeaseTtlMs',
    env: 'REALNAME_QUOTA_LEASE_TTL_MS',
    arg: 'ms',
    scope: 'serve, demo',
    defaultText: '10000',
    meaning: "how long a node's leased quota units last unrenewed: a crashed node's units come back after this",
    parse: wholeNumber('quotaLeaseTtlMs', 1000, 3_600_000),
  },
  {
    key: 'workers',
    env: 'REALNAME_WORKERS',
    arg: 'n',
    scope: 'serve, demo',
    defaultText: '1',
    meaning: 'processes sharing the port (`serve`), each a node with its own store connections and leases',
    parse: wholeNumber('workers', 1, 64),
  },
  {
    key: 'consolePort',
    env: 'REALNAME_CONSOLE_PORT',
    arg: 'port',
    scope: 'serve, demo',
    defaultText: '— (no console)',
    meaning: 'serve the web console on this port (0 picks a free one); sign in as an operator made with `realname operators add`',
    parse: wholeNumber('consolePort', 0, 65_535),
  },
  {
    key: 'consoleHost',
    env: 'REALNAME_CONSOLE_HOST',
    arg: 'host',
    scope: 'serve, demo',
    defaultText: '127.0.0.1',
    meaning: "the console's address: loopback unless said otherwise, never the API's interface by default (with `tlsCert` it is https too)",
    parse: text('consoleHost'),
  },
  {
    key: 'timestampWindow',
    env: 'REALNAME_TIMESTAMP_WINDOW',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '300',
    meaning: "SUBMAIL: how far a request's `timestamp` may be from the server's clock, either way",
    parse: wholeNumber('timestampWindow', 1, 86_400),
  },
  { key: 'logLevel', env: 'REALNAME_LOG_LEVEL', arg: 'level', scope: 'serve, demo', defaultText: 'info (demo: warn)', meaning: `least severe log level written: ${LOG_LEVELS.join(', ')}`, parse: oneOf('logLevel', LOG_LEVELS) },
  {
    key: 'logFormat',
    env: 'REALNAME_LOG_FORMAT',
    arg: 'format',
    scope: 'serve, demo',
    defaultText: 'pretty on a terminal, else json',
    meaning: 'log lines as `pretty` text or `json` (one object a line)',
    parse: oneOf('logFormat', LOG_FORMATS),
  },
  {
    key: 'postgresAuditSync',
    env: 'REALNAME_POSTGRES_AUDIT_SYNC',
    arg: 'true|false',
    scope: 'serve, demo',
    defaultText: 'false',
    meaning:
      "with `postgres`: `true` makes every audit commit wait for PostgreSQL's WAL flush to disk (a record then survives a power cut of the database server; each flush is milliseconds, and every answer waits for its record). `false`: a commit returns once PostgreSQL has it — it survives a crash of Realname, and only the database server's own crash may lose its last fraction of a second, as with SQLite's default",
    parse: yesNo('postgresAuditSync'),
  },
  {
    key: 'auditBuffer',
    env: 'REALNAME_AUDIT_BUFFER',
    arg: 'records',
    scope: 'serve, demo',
    defaultText: '10000',
    meaning: 'most audit records held while the store is slow or down; checks answer the source-unavailable code, unbilled, from 90 % of it',
    parse: atLeast('auditBuffer', 1, 10_000_000, 'record'),
  },
  {
    key: 'shutdownGrace',
    env: 'REALNAME_SHUTDOWN_GRACE',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '30',
    meaning: 'on SIGTERM, how long to keep retrying audit records a failing store has not taken (then exit 1, saying how many)',
    parse: wholeNumber('shutdownGrace', 0, 86_400),
  },
  {
    key: 'headersTimeout',
    env: 'REALNAME_HEADERS_TIMEOUT',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '10',
    meaning: "how long a request's headers may take to arrive (an idle new connection included)",
    parse: atLeast('headersTimeout', 1, 3600, 'second'),
  },
  {
    key: 'requestTimeout',
    env: 'REALNAME_REQUEST_TIMEOUT',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '30',
    meaning: 'how long a whole request, body included, may take to arrive',
    parse: atLeast('requestTimeout', 1, 3600, 'second'),
  },
  {
    key: 'keepAliveTimeout',
    env: 'REALNAME_KEEP_ALIVE_TIMEOUT',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '5',
    meaning: 'how long an idle keep-alive connection is kept',
    parse: atLeast('keepAliveTimeout', 1, 3600, 'second'),
  },
  {
    key: 'connectionsPerClient',
    env: 'REALNAME_CONNECTIONS_PER_CLIENT',
    arg: 'n',
    scope: 'serve, demo',
    defaultText: '256',
    meaning: 'open connections one client address may hold (0: no cap; behind a proxy, set it above the proxy\'s pool)',
    parse: wholeNumber('connectionsPerClient', 0, 1_000_000),
  },
  {
    key: 'cacheTtlMatch',
    env: 'REALNAME_CACHE_TTL_MATCH',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '2592000 (30 days)',
    meaning: "result cache: how long an upstream vendor's match is reused (0: never)",
    parse: wholeNumber('cacheTtlMatch', 0, 366 * 86_400),
  },
  {
    key: 'cacheTtlMismatch',
    env: 'REALNAME_CACHE_TTL_MISMATCH',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '86400 (1 day)',
    meaning: "result cache: how long an upstream vendor's mismatch is reused (0: never)",
    parse: wholeNumber('cacheTtlMismatch', 0, 366 * 86_400),
  },
  {
    key: 'cacheTtlNotFound',
    env: 'REALNAME_CACHE_TTL_NOT_FOUND',
    arg: 'seconds',
    scope: 'serve, demo',
    defaultText: '3600 (1 hour)',
    meaning: "result cache: how long an upstream vendor's no-record is reused (0: never)",
    parse: wholeNumber('cacheTtlNotFound', 0, 366 * 86_400),
  },
  {
    key: 'cacheScope',
    env: 'REALNAME_CACHE_SCOPE',
    arg: 'scope',
    scope: 'serve, demo',
    defaultText: 'app',
    meaning: '`app`: an answer is reused for the app that bought it only; `shared`: for every app',
    parse: oneOf('cacheScope', CACHE_SCOPES),
  },
  {
    key: 'cacheHitsCharged',
    env: 'REALNAME_CACHE_HITS_CHARGED',
    arg: 'true|false',
    scope: 'serve, demo',
    defaultText: 'true',
    meaning: "whether a cache hit is charged to the app's quota (the answer is worth the same)",
    parse: yesNo('cacheHitsCharged'),
  },
  {
    key: 'cacheMaxEntries',
    env: 'REALNAME_CACHE_MAX_ENTRIES',
    arg: 'n',
    scope: 'serve, demo',
    defaultText: '100000',
    meaning: 'entries the in-memory result cache holds at most (the Redis cache is bounded by its TTLs)',
    parse: wholeNumber('cacheMaxEntries', 1, 100_000_000),
  },
  {
    key: 'retentionDays',
    env: 'REALNAME_RETENTION_DAYS',
    arg: 'days',
    scope: 'serve, demo',
    defaultText: '365',
    meaning: 'calendar days audit records are kept (the Cybersecurity Law asks at least six months of network logs); `serve` purges older batches daily, with a purge event in the chain',
    parse: atLeast('retentionDays', 1, 36_500, 'day'),
  },
  {
    key: 'timeZone',
    env: 'REALNAME_TIME_ZONE',
    arg: 'zone',
    scope: 'every command',
    defaultText: 'Asia/Shanghai',
    meaning: 'the IANA time zone whose calendar days everything counting by the day counts: retention, usage, identity daily limits, upstream budgets and their ledger',
    parse: timeZone('timeZone'),
  },
  {
    key: 'metricsPort',
    env: 'REALNAME_METRICS_PORT',
    arg: 'port',
    scope: 'serve, demo',
    defaultText: 'the main port',
    meaning: 'serve `GET /metrics` (Prometheus) on this port of `host` only, off the public interface; with `workers`, the primary serves it for all of them',
    parse: wholeNumber('metricsPort', 0, 65_535),
  },
  {
    key: 'batchRate',
    env: 'REALNAME_BATCH_RATE',
    arg: 'rows/s',
    scope: 'serve, demo',
    defaultText: '0',
    meaning: "rows a second this node checks of its batches at most (0: as fast as the sources answer); batches are held to this, not to the app's QPS",
    parse: wholeNumber('batchRate', 0, 1_000_000),
  },
  {
    key: 'batchMaxRows',
    env: 'REALNAME_BATCH_MAX_ROWS',
    arg: 'rows',
    scope: 'serve, demo',
    defaultText: '10000000',
    meaning: 'rows one batch may hold; a larger upload is refused (413 batch_too_large) and nothing of it kept',
    parse: atLeast('batchMaxRows', 1, 1_000_000_000, 'row'),
  },
  {
    key: 'batchMaxBytes',
    env: 'REALNAME_BATCH_MAX_BYTES',
    arg: 'bytes',
    scope: 'serve, demo',
    defaultText: '2147483648 (2 GiB)',
    meaning: "bytes one batch's upload may be; a larger upload is refused (413 batch_too_large) and nothing of it kept",
    parse: atLeast('batchMaxBytes', 1, 1024 ** 4, 'byte'),
  },
];

/** Settings that are not part of Config: where the config file is, and the key itself (never a flag). */
export const OTHER_SETTINGS = [
  { flag: '--config <file>', env: 'REALNAME_CONFIG', key: '—', defaultText: '`<data>/realname.json` when present', meaning: 'the config file: one JSON object of the config keys above' },
  {
    flag: '—',
    env: 'REALNAME_MASTER_KEY',
    key: '—',
    defaultText: 'the key file',
    meaning: 'the master key itself (32 bytes, base64; several, comma-separated, during a rotation); wins over the key file. Never a flag: flags show in `ps`',
  },
] as const;

const SPEC = new Map(SETTINGS.map((s) => [s.key, s]));

export function settingSpec(key: Setting): SettingSpec {
  const spec = SPEC.get(key);
  if (!spec) throw new Error(`no such setting ${key}`);
  return spec;
}

/** `--key-file`, from `keyFile`. */
export function flagOf(key: Setting): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const DEFAULTS = {
  data: './data',
  host: '127.0.0.1',
  port: 8080,
  consoleHost: '127.0.0.1',
  bodyLimit: 16 * 1024,
  trustProxy: [] as string[],
  sourceTimeoutMs: 3000,
  quotaLeaseTtlMs: 10_000,
  workers: 1,
  timestampWindow: 300,
  logLevel: 'info' as LogLevel,
  store: 'sqlite' as StoreKind,
  auditBuffer: 10_000,
  postgresAuditSync: false,
  shutdownGrace: 30,
  headersTimeout: 10,
  requestTimeout: 30,
  keepAliveTimeout: 5,
  connectionsPerClient: 256,
  cacheTtlMatch: 30 * 86_400,
  cacheTtlMismatch: 86_400,
  cacheTtlNotFound: 3_600,
  cacheScope: 'app' as CacheScope,
  cacheHitsCharged: true,
  cacheMaxEntries: 100_000,
  retentionDays: 365,
  timeZone: 'Asia/Shanghai',
  batchRate: 0,
  batchMaxRows: 10_000_000,
  batchMaxBytes: 2 * 1024 ** 3,
};

export class ConfigError extends Error {}

export type Flags = Partial<Record<Setting | 'config', string | number | string[] | undefined>>;

export interface LoadOptions {
  /** Whether logs go to a terminal (the default log format follows it); default: whether stderr, where they go, is one. */
  terminal?: boolean;
}

export function loadConfig(flags: Flags, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const fromEnv: Flags = {};
  for (const { key, env: name } of SETTINGS) {
    if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  }
  const explicitFile = flags.config ?? (env.REALNAME_CONFIG || undefined);
  const dataBeforeFile = flags.data ?? fromEnv.data;
  const file = explicitFile ?? join(String(dataBeforeFile ?? DEFAULTS.data), 'realname.json');
  const fromFile = readConfigFile(String(file), explicitFile !== undefined);
  if (fromFile.data !== undefined && explicitFile === undefined) {
    throw new ConfigError(`config file ${file}: "data" cannot be set in the data dir's own config file; pass --config FILE to name another`);
  }

  const origin = (key: Setting): [unknown, string] | undefined => {
    if (flags[key] !== undefined) return [flags[key], flagOf(key)];
    if (fromEnv[key] !== undefined) return [fromEnv[key], settingSpec(key).env];
    if (fromFile[key] !== undefined) return [fromFile[key], `config file ${file}`];
    return undefined;
  };
  const config: Config = {
    ...DEFAULTS,
    data: '',
    keyFile: '',
    logFormat: (options.terminal ?? process.stderr.isTTY === true) ? 'pretty' : 'json',
  };
  for (const spec of SETTINGS) {
    const given = origin(spec.key);
    if (!given) continue;
    const [value, from] = given;
    try {
      (config as unknown as Record<string, unknown>)[spec.key] = spec.parse(value);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      throw new ConfigError(`${from}: ${error.message}, got ${JSON.stringify(value)}`);
    }
  }
  config.data = resolve(config.data || DEFAULTS.data);
  config.keyFile = resolve(config.keyFile || join(config.data, 'master.key'));
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError('TLS needs both a certificate and a key (--tls-cert and --tls-key)');
  }
  checkStore(config);
  if (config.consolePort !== undefined && config.consolePort !== 0 && config.consolePort === config.port && config.consoleHost === config.host) {
    throw new ConfigError(`the console needs a port of its own: consolePort ${config.consolePort} is the API's port`);
  }
  if (config.metricsPort !== undefined && config.metricsPort !== 0 && config.metricsPort === config.port) {
    throw new ConfigError(`the metrics need a port of their own: metricsPort ${config.metricsPort} is the API's port (leave it out to serve /metrics there)`);
  }
  if (config.headersTimeout > config.requestTimeout) {
    throw new ConfigError(`headersTimeout (${config.headersTimeout} s) cannot exceed requestTimeout (${config.requestTimeout} s)`);
  }
  return config;
}

function checkStore(config: Config): void {
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
    if (!SPEC.has(key as Setting)) throw new ConfigError(`config file ${file}: unknown setting "${key}"; the settings are ${SETTINGS.map((s) => s.key).join(', ')}`);
  }
  return parsed as Flags;
}
