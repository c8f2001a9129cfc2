import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { loadMasterKey } from './keys/master.ts';
import { createLogger, type Logger } from './log.ts';
import { buildServer } from './server.ts';
import { assembleServices } from './service/assemble.ts';
import { openStore, type StoreSpec } from './store/index.ts';
import type { Store } from './store/types.ts';

export interface Runtime {
  config: Config;
  store: Store;
  masterKey: Buffer;
  services: ReturnType<typeof assembleServices>;
  logger: Logger;
  close(): Promise<void>;
}

/** The configured backend: the embedded SQLite file in the data dir (default), or PostgreSQL (+ Redis). */
export function storeSpec(config: Config, logger?: Logger): StoreSpec {
  if (config.store === 'postgres') {
    const { postgresUrl, redisUrl, redisPrefix } = config;
    return { kind: 'postgres', url: postgresUrl!, logger, ...(redisUrl ? { redisUrl, ...(redisPrefix ? { redisPrefix } : {}) } : {}) };
  }
  return { kind: 'sqlite', file: join(config.data, 'realname.db'), logger };
}

/** Opens the data dir's master key (created on first use) and the configured store. */
export function openRuntime(config: Config, logger: Logger = createLogger({ level: config.logLevel })): Runtime {
  const masterKey = loadMasterKey({ env: process.env.REALNAME_MASTER_KEY, keyFile: config.keyFile, create: true });
  const store = openStore(storeSpec(config, logger));
  const services = assembleServices({
    store,
    masterKey,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    sourceTimeoutMs: config.sourceTimeoutMs,
    leases: { quota: { ttlMs: config.quotaLeaseTtlMs } },
  });
  const close = async () => {
    // Every answer's audit record (and so its unit's way out of the lease) first, then the leases back,
    // while the store is still open, then the store.
    await store.audit.flush().catch(() => undefined);
    await services.counters.close().catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'leases not given back'));
    await store.close();
  };
  return { config, store, masterKey, services, logger, close };
}

export interface Serving {
  server: FastifyInstance;
  address: string;
  stop(): Promise<void>;
}

/** Listens until stopped; stop() drains in-flight requests, then flushes the audit log and closes the store. */
export async function serve(config: Config): Promise<Serving> {
  const runtime = openRuntime(config);
  const https =
    config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const server = buildServer({
    services: runtime.services,
    store: runtime.store,
    logger: runtime.logger,
    dialects: { submail: { timestampWindowMs: config.timestampWindow * 1000 } },
    ...(https ? { https } : {}),
  });
  const address = await server.listen({ host: config.host, port: config.port });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      await runtime.close();
      runtime.logger.flush();
    })());
  return { server, address, stop };
}
