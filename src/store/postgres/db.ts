import pg from 'pg';
import { defaultLogger, type Logger } from '../../log.ts';

/** node-postgres returns int8 as a string; every int8 we store (quota, epoch ms) is a safe integer. */
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A pool that migrates lazily on first use, so opening a store never blocks and `ping` is the readiness check. */
export interface Db extends Queryable {
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Resolves once the schema is current (retried on the next call after a failure). */
  ready(): Promise<void>;
  end(): Promise<void>;
}

export interface DbOptions {
  url: string;
  /** Schema for every table (created when missing); default: the server's search_path. */
  schema?: string;
  poolSize?: number;
  migrate(client: pg.PoolClient, schema: string | undefined): Promise<void>;
  logger?: Logger;
  /** SET statements run on every new connection of this pool, before anything else it is asked. */
  session?: readonly string[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchema(schema: string | undefined): void {
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error(`postgres schema must be a lower-case identifier, got ${JSON.stringify(schema)}`);
  }
}

const connection = (url: string, schema: string | undefined) => ({
  connectionString: url,
  connectionTimeoutMillis: 5000,
  types,
  ...(schema ? { options: `-c search_path=${schema}` } : {}),
});

/**
 * Whether Realname's tables exist where this URL (and schema) points; creates nothing. Throws when
 * the server cannot be reached. The schema is the first of the search_path that exists, as for the store.
 */
export async function schemaExists(url: string, schema?: string): Promise<boolean> {
  checkSchema(schema);
  const client = new pg.Client(connection(url, schema));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('schema_version') IS NOT NULL AS present`);
    return rows[0]?.present === true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function openDb(opts: DbOptions): Db {
  checkSchema(opts.schema);
  const pool = new pg.Pool({
    ...connection(opts.url, opts.schema),
    max: opts.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
  });
  // A client queues its queries in order: these run before the first query the pool hands it.
  if (opts.session?.length) pool.on('connect', (client) => void Promise.all(opts.session!.map((sql) => client.query(sql))).catch(() => undefined));
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  const log = opts.logger ?? defaultLogger();
  pool.on('error', (err) => log.warn({ error: err.message }, 'postgres: idle connection lost'));

  let migrated: Promise<void> | undefined;
  const ready = () =>
    (migrated ??= (async () => {
      const client = await pool.connect();
      try {
        await opts.migrate(client, opts.schema);
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      migrated = undefined;
      throw err;
    }));

  return {
    ready,
    query: (async (...args: Parameters<pg.Pool['query']>) => {
      await ready();
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    }) as Queryable['query'],
    async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      await ready();
      const client = await pool.connect();
      let result: T;
      try {
        await client.query('BEGIN');
        result = await fn(client);
        await client.query('COMMIT');
      } catch (err) {
        // A broken connection cannot roll back; destroy it rather than hand it to the next caller.
        await client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackErr: Error) => client.release(rollbackErr),
        );
        throw err;
      }
      client.release();
      return result;
    },
    end: () => pool.end(),
  };
}
