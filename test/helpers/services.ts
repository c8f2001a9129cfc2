import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The servers the storage tests use for real. Outside CI a test file whose server cannot be reached
 * is skipped with a message saying why; under CI (CI=true) it fails instead, so a broken service is
 * never mistaken for a green run.
 */
export const POSTGRES_URL = process.env.REALNAME_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REALNAME_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

const PROBE_TIMEOUT_MS = 3000;

/** Resolves true when the service answers; false (after saying why) when skipping is allowed; throws under CI. */
export async function requireService(service: 'postgres' | 'redis'): Promise<boolean> {
  const url = service === 'postgres' ? POSTGRES_URL : REDIS_URL;
  try {
    await (service === 'postgres' ? probePostgres(url) : probeRedis(url));
    return true;
  } catch (err) {
    const env = service === 'postgres' ? 'REALNAME_TEST_POSTGRES_URL' : 'REALNAME_TEST_REDIS_URL';
    const why = `${service} at ${redact(url)} is unreachable (${(err as Error).message}); set ${env} to point at one`;
    if (process.env.CI === 'true') throw new Error(`CI=true: ${why}`);
    console.warn(`SKIPPED ${service} tests: ${why}`);
    return false;
  }
}

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS, retryStrategy: () => null });
  let cause: Error | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw cause ?? err; // the socket's own error says more than "Connection is closed"
  } finally {
    redis.disconnect();
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

const randomName = () => `rn_test_${randomBytes(6).toString('hex')}`;

/** A fresh, empty schema per test: tests (and test files) may run in parallel against one database. */
export async function createSchema(url = POSTGRES_URL): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = randomName();
  await adminQuery(url, `CREATE SCHEMA ${schema}`);
  return { schema, drop: () => adminQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh Redis key prefix per test; drop() deletes every key under it. */
export function createRedisPrefix(url = REDIS_URL): { prefix: string; drop(): Promise<void> } {
  const prefix = `${randomName()}:`;
  return {
    prefix,
    async drop() {
      const redis = new Redis(url, { lazyConnect: true });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
