import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from './config.ts';
import { startRetention } from './audit/retention.ts';
import { establishKeys } from './keys/establish.ts';
import { shareWithPrimary } from './metrics/cluster.ts';
import { listenMetrics, type MetricsSource } from './metrics/http.ts';
import { listenFailure } from './listen-failure.ts';
import { loadMasterKeys, type MasterKeys } from './keys/master.ts';
import { KeyRing, type StoreKeys } from './keys/ring.ts';
import { createLogger, type Logger } from './log.ts';
import { buildServer } from './server.ts';
import { assembleServices } from './service/assemble.ts';
import { describeStore, openStore, storeExists, StoreStateError, type StoreSpec } from './store/index.ts';
import type { Store } from './store/types.ts';

export interface Runtime {
  config: Config;
  /** The configured store; its ping also fails when this process no longer holds the store's keys. */
  store: Store;
  keys: StoreKeys;
  services: ReturnType<typeof assembleServices>;
  logger: Logger;
  /** Set when this process created the store: the line that says so (print it once the command succeeded). */
  created?: string;
  close(): Promise<void>;
  /**
   * Closes, and takes back a store this process created (a command that failed leaves nothing
   * behind): the SQLite files, a new key file, a new data dir. A PostgreSQL schema is left as it is.
   */
  discard(): Promise<void>;
}

/** The configured backend: the embedded SQLite file in the data dir (default), or PostgreSQL (+ Redis). */
export function storeSpec(config: Config, logger?: Logger): StoreSpec {
  if (config.store === 'postgres') {
    const { postgresUrl, redisUrl, redisPrefix, auditBuffer, postgresAuditSync } = config;
    return { kind: 'postgres', url: postgresUrl!, logger, auditBuffer, auditSync: postgresAuditSync, ...(redisUrl ? { redisUrl, ...(redisPrefix ? { redisPrefix } : {}) } : {}) };
  }
  return { kind: 'sqlite', file: join(config.data, 'realname.db'), logger, auditBuffer: config.auditBuffer };
}

export interface OpenOptions {
  /**
   * 'existing' (the default): a missing store is an error, so a typo in --data is never a new empty
   * store. 'create': a missing store is created, with a new master key unless one is given.
   */
  store?: 'existing' | 'create';
  /** Only the store's current key is needed (the `keys` commands, which finish a rotation). */
  currentKeyOnly?: boolean;
  /** Default: one made from the config's log level and format (src/log.ts). */
  logger?: Logger;
  /** `serve` in a worker of `--workers`: metrics are the primary's to serve (everyone's, aggregated). */
  worker?: boolean;
}

const CREATE_HINT = 'realname serve --init, realname apps create or realname registry import create one';

/**
 * Opens the configured store and checks that this process holds its master keys: a store is never
 * created unasked, and never used with a key it does not belong to.
 */
export async function openRuntime(config: Config, options: OpenOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const spec = storeSpec(config, logger);
  const dataDirExisted = existsSync(config.data);
  const exists = await storeExists(spec);
  if (!exists && options.store !== 'create') {
    const where = spec.kind === 'sqlite' ? `${describeStore(spec)} (no realname.db there)` : `${describeStore(spec)} (no Realname tables)`;
    const check = spec.kind === 'sqlite' ? '--data' : '--postgres-url and its search_path';
    throw new StoreStateError(`no store at ${where}: check ${check}; ${CREATE_HINT}`);
  }
  const readKeys = (create: boolean): MasterKeys => loadMasterKeys({ env: process.env.REALNAME_MASTER_KEY, keyFile: config.keyFile, create });
  const ring = new KeyRing(readKeys(!exists), () => readKeys(false));
  const store = openStore(spec);
  let keys: StoreKeys;
  try {
    keys = await establishKeys(store, ring, { now: Date.now(), store: store.keys, currentOnly: options.currentKeyOnly === true });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const key = ring.created ? `a new master key (${ring.file})` : `master key ${keys.currentId} from ${ring.origin}`;
  const created = exists ? undefined : `created a new store at ${describeStore(spec)} with ${key}`;
  const discard = async () => {
    await store.close();
    if (exists || spec.kind !== 'sqlite') return;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${spec.file}${suffix}`, { force: true });
    if (ring.created && ring.file) rmSync(ring.file, { force: true });
    if (!dataDirExisted && readdirSync(config.data).length === 0) rmdirSync(config.data);
  };
  const checked: Store = {
    ...store,
    // readyz: not ready while this process cannot open what the store holds (a rotation elsewhere).
    async ping() {
      await store.ping();
      await keys.assertUsable();
    },
  };
  const services = assembleServices({
    store: checked,
    keys,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    sourceTimeoutMs: config.sourceTimeoutMs,
    logger,
    cache: {
      ttlMs: { match: config.cacheTtlMatch * 1000, mismatch: config.cacheTtlMismatch * 1000, not_found: config.cacheTtlNotFound * 1000 },
      scope: config.cacheScope,
      chargeHits: config.cacheHitsCharged,
      maxEntries: config.cacheMaxEntries,
    },
    leases: { quota: { ttlMs: config.quotaLeaseTtlMs } },
    timeZone: config.timeZone,
    batches: { rate: config.batchRate, maxRows: config.batchMaxRows, maxBytes: config.batchMaxBytes },
    // With PostgreSQL + Redis every node works on every batch: its chunks go through BullMQ on that Redis.
    ...(config.store === 'postgres' && config.redisUrl ? { batchQueue: { redisUrl: config.redisUrl, prefix: config.redisPrefix ?? 'realname:' } } : {}),
  });
  const close = async () => {
    try {
      // Every answer's audit record (and so its unit's way out of the lease) first, then the leases back,
      // while the store is still open, then the sources, then the store.
      await store.audit.flush().catch(() => undefined);
      await services.counters.close().catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'leases not given back'));
      await services.close();
    } finally {
      await store.close();
    }
  };
  return { config, store: checked, keys, services, logger, ...(created ? { created } : {}), close, discard };
}

export interface Serving {
  server: FastifyInstance;
  address: string;
  /** Where GET /metrics is served when it has a port of its own. */
  metricsAddress?: string;
  /** Set when serving created the store (--init): the line that says so. */
  created?: string;
  /** The runtime served (its store, services and counters), for tools that watch a server in-process. */
  runtime: Runtime;
  stop(): Promise<void>;
}

function readTls(file: string, what: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code);
    throw new ConfigError(`cannot read the TLS ${what} ${file}: ${why}; check ${setting}`);
  }
}

/**
 * Listens until stopped; stop() drains in-flight requests, then flushes the audit log — retrying for up to
 * `shutdownGrace` seconds while its store fails — and closes the store. It rejects, saying how many audit
 * records were not written, only when the store stayed down for all that time.
 */
export async function serve(config: Config, options: OpenOptions = {}): Promise<Serving> {
  // The TLS files first: a mistake there is found before a store is opened (or created).
  const https =
    config.tlsCert && config.tlsKey
      ? { cert: readTls(config.tlsCert, 'certificate', '--tls-cert / REALNAME_TLS_CERT'), key: readTls(config.tlsKey, 'key', '--tls-key / REALNAME_TLS_KEY') }
      : undefined;
  const runtime = await openRuntime(config, options);
  const registry = runtime.services.metrics.registry;
  // A worker's registry goes to the primary; a scrape of a worker's main port is answered with everyone's.
  const metrics: MetricsSource = options.worker ? shareWithPrimary(registry) : { contentType: registry.contentType, text: () => registry.metrics() };
  let server: FastifyInstance;
  try {
    server = buildServer({
      services: runtime.services,
      store: runtime.store,
      logger: runtime.logger,
      dialects: { submail: { timestampWindowMs: config.timestampWindow * 1000 } },
      http: {
        headersTimeoutMs: config.headersTimeout * 1000,
        requestTimeoutMs: config.requestTimeout * 1000,
        keepAliveTimeoutMs: config.keepAliveTimeout * 1000,
        connectionsPerClient: config.connectionsPerClient,
      },
      ...(https ? { https } : {}),
      ...(config.metricsPort === undefined ? { metrics } : {}),
    });
  } catch (error) {
    await runtime.discard();
    // OpenSSL's verdict on a certificate or key that is not PEM, or not a pair.
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_OSSL')) {
      throw new ConfigError(`the TLS certificate or key cannot be used (${(error as Error).message}); check --tls-cert and --tls-key`);
    }
    throw error;
  }
  let address: string;
  let metricsServer: Awaited<ReturnType<typeof listenMetrics>> | undefined;
  try {
    address = await server.listen({ host: config.host, port: config.port });
    // --metrics-port: its own listener (with workers, the primary's).
    if (config.metricsPort !== undefined && !options.worker) metricsServer = await listenMetrics(config.host, config.metricsPort, metrics);
    // This node works on batches too (resuming any a stopped node left).
    runtime.services.batches?.start();
  } catch (error) {
    await server.close().catch(() => undefined);
    await runtime.discard();
    throw listenFailure(error, config);
  }
  // Records past retention go once a calendar day (every node tries; the first finds them, the rest nothing).
  const trail = runtime.store.auditTrail;
  const retention = trail ? startRetention({ trail, days: config.retentionDays, timeZone: config.timeZone, logger: runtime.logger }) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      retention?.stop();
      // Batches stop with the listeners, not after them: a close waiting on open connections would leave a
      // batch running meanwhile (its lease is given back once the row in hand is done).
      await Promise.all([server.close(), metricsServer?.close(), runtime.services.batches?.stop()]);
      let unwritten: unknown;
      await runtime.store.audit.flushWithin(config.shutdownGrace * 1000).catch((error: unknown) => (unwritten = error));
      // Closing still tries the audit log once more; when the store stayed down, its error says less than ours.
      await runtime.close().catch((error: unknown) => (unwritten ??= error));
      runtime.logger.flush();
      if (unwritten) throw unwritten;
    })());
  return { server, address, ...(metricsServer ? { metricsAddress: metricsServer.address } : {}), ...(runtime.created ? { created: runtime.created } : {}), runtime, stop };
}

