import { postgresApps } from './postgres/apps.ts';
import { postgresAudit } from './postgres/audit.ts';
import { postgresNonces, postgresRate } from './postgres/counters.ts';
import { postgresDaily } from './postgres/daily.ts';
import { openDb } from './postgres/db.ts';
import { postgresKeys } from './postgres/keys.ts';
import { postgresRegistry } from './postgres/registry.ts';
import { postgresSources } from './postgres/sources.ts';
import { postgresOperators } from './postgres/operators.ts';
import { postgresApiKeys, postgresIdempotency } from './postgres/rest.ts';
import { postgresBatches } from './postgres/batches.ts';
import { postgresLeases } from './postgres/leases.ts';
import { randomBytes } from 'node:crypto';
import { migrate } from './postgres/schema.ts';
import { openRedisCounters } from './redis.ts';
import type { LeaseStore, Store } from './types.ts';
import type { Logger } from '../log.ts';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** When given, rate limits and nonces live in Redis; apps, quota, registry and audit stay in PostgreSQL. */
  redisUrl?: string;
  /** Schema for every table (created when missing); default: the connection's search_path. */
  schema?: string;
  /** Redis key prefix (default "realname:"). */
  redisPrefix?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  logger?: Logger;
  /** Most audit records held while the store is slow or down (default 10,000). */
  auditBuffer?: number;
  /** Every audit commit waits for PostgreSQL's WAL flush (synchronous_commit on): power-cut durable, and slower. */
  auditSync?: boolean;
}

/**
 * Several Realname processes share one PostgreSQL (and optionally one Redis). Opening connects
 * nothing: the first call connects and migrates, and `ping` is the readiness check.
 */
export function openPostgresStore(opts: PostgresStoreOptions): Store {
  const db = openDb({ url: opts.url, schema: opts.schema, poolSize: opts.poolSize, migrate, logger: opts.logger });
  // Audit batches on connections of their own: unless told to wait for the WAL's flush on every commit,
  // a commit returns once PostgreSQL has it (durable against Realname's crash, as SQLite's default is; the
  // database server's own crash may lose its last fraction of a second). The flush is ~5 ms a commit, and
  // every answer waits for its record: with it, a node answers at most ~200 commits' worth a second.
  const auditDb = openDb({
    url: opts.url,
    schema: opts.schema,
    poolSize: 2,
    migrate,
    logger: opts.logger,
    session: opts.auditSync ? [] : ['SET synchronous_commit = off'],
  });
  const counters = opts.redisUrl ? openRedisCounters({ url: opts.redisUrl, prefix: opts.redisPrefix, logger: opts.logger }) : undefined;
  const node = randomBytes(8).toString('hex');
  const { sink: audit, trail: auditTrail } = postgresAudit(auditDb, node, opts.logger, opts.auditBuffer === undefined ? {} : { limit: opts.auditBuffer });
  let closed = false;
  return {
    kind: counters ? 'postgres+redis' : 'postgres',
    node,
    apps: postgresApps(db),
    leases: withShares(postgresLeases(db), counters?.shares),
    registry: postgresRegistry(db),
    rate: counters?.rate ?? postgresRate(db),
    nonces: counters?.nonces ?? postgresNonces(db),
    // Beside the apps and their quota, even with Redis: a day's counts must outlive a Redis restart.
    daily: postgresDaily(db),
    audit,
    auditTrail,
    keys: postgresKeys(db),
    sources: postgresSources(db),
    operators: postgresOperators(db),
    apiKeys: postgresApiKeys(db),
    idempotency: postgresIdempotency(db),
    batches: postgresBatches(db),
    ...(counters ? { resultCache: counters.resultCache } : {}),
    async ping() {
      if (closed) throw new Error('postgres store is closed');
      await db.query('SELECT 1');
      await counters?.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await audit.close();
      } finally {
        await Promise.all([db.end(), auditDb.end(), counters?.close()]);
      }
    },
  };
}

/** With Redis, QPS shares live there (every node's rate decisions in one place); quota leases stay with the apps. */
function withShares(leases: LeaseStore, shares: Pick<LeaseStore, 'rate' | 'release'> | undefined): LeaseStore {
  if (!shares) return leases;
  return {
    quota: leases.quota,
    quotaState: leases.quotaState,
    rate: shares.rate,
    async release(node, nowMs) {
      await Promise.all([leases.release(node, nowMs), shares.release(node, nowMs)]);
    },
  };
}
