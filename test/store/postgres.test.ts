import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.ts';
import { openDb } from '../../src/store/postgres/db.ts';
import { SCHEMA_VERSION } from '../../src/store/postgres/schema.ts';
import type { Store } from '../../src/store/types.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { createRedisPrefix, createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../helpers/services.ts';
import { auditRecord, h, makeApp, makeSecret, row, storeContract } from './contract.ts';
import { durableStoreContract } from './durable.ts';

const postgresUp = await requireService('postgres');
const redisUp = postgresUp && (await requireService('redis'));

/** Schemas and prefixes made for the current test, dropped after it (every reopen gets a fresh one). */
const cleanups: (() => Promise<void>)[] = [];
const cleanup = async () => {
  for (const drop of cleanups.splice(0)) await drop();
};

async function freshStore(extra: Partial<PostgresStoreOptions> = {}): Promise<Store> {
  const { schema, drop } = await createSchema();
  cleanups.push(drop);
  return openPostgresStore({ url: POSTGRES_URL, schema, ...extra });
}

async function freshStoreWithRedis(): Promise<Store> {
  const { prefix, drop } = createRedisPrefix();
  cleanups.push(drop);
  return freshStore({ redisUrl: REDIS_URL, redisPrefix: prefix });
}

async function sql<R extends pg.QueryResultRow>(schema: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresUp)('postgres', () => {
  storeContract('postgres', () => freshStore(), cleanup);

  describe.skipIf(!redisUp)('with redis', () => {
    storeContract('postgres+redis', () => freshStoreWithRedis(), cleanup);
  });

  describe('postgres store in its schema', () => {
    let schema: string;
    let opts: PostgresStoreOptions;
    beforeEach(async () => {
      const made = await createSchema();
      cleanups.push(made.drop);
      schema = made.schema;
      opts = { url: POSTGRES_URL, schema };
    });
    afterEach(cleanup);

    durableStoreContract('postgres', () => ({ kind: 'postgres', ...opts }));

    it('writes audit records on its own soon after write(), in batches', async () => {
      const store = openPostgresStore(opts);
      await store.ping();
      for (let i = 0; i < 600; i++) store.audit.write(auditRecord(`chk-${i}`, i, '1000001'));
      await expect.poll(async () => (await sql<{ n: string }>(schema, 'SELECT count(*) AS n FROM audit'))[0]?.n).toBe('600');
      await store.close();
    });

    it('records its schema version, migrates idempotently, and stores only hashes in the registry', async () => {
      const a = openPostgresStore(opts);
      const b = openPostgresStore(opts);
      // Two stores migrating the same empty schema at once: the advisory lock serialises them.
      await Promise.all([a.ping(), b.ping()]);
      await a.registry.importBatch([row('p1', 'n1', 'c1')]);
      await Promise.all([a.close(), b.close()]);
      expect(await sql(schema, 'SELECT version FROM schema_version')).toEqual([{ version: SCHEMA_VERSION }]);
      const [stored] = await sql<Record<string, unknown>>(schema, 'SELECT * FROM registry');
      expect(Object.keys(stored!).sort()).toEqual(['card_hash', 'id_hash', 'key_id', 'name_hash', 'norm_version', 'phone_hash']);
      expect(stored!.id_hash).toEqual(h('p1'));
    });

    it('creates its schema when missing', async () => {
      const store = openPostgresStore({ ...opts, schema: `${schema}_new` });
      cleanups.push(() => sql(schema, `DROP SCHEMA IF EXISTS ${schema}_new CASCADE`).then(() => undefined));
      await store.apps.create(makeApp('1000001'), makeSecret('AKIDa', '1000001'));
      expect((await store.apps.list()).map((a) => a.appid)).toEqual(['1000001']);
      await store.close();
    });

    it('answers a card check from the card index, also after a replace and on a schema migrated from before it', async () => {
      const first = openPostgresStore(opts);
      await first.registry.importBatch([row('p1', 'n1', 'c1'), row('p2', 'n2', null)]);
      await first.close();
      // A schema from before the index: version 2, rows already there.
      await sql(schema, 'DROP INDEX registry_by_card; UPDATE schema_version SET version = 2');
      const store = openPostgresStore(opts);
      expect(await store.registry.matchCard(h('c1'), h('n1'))).toEqual({ found: true, nameMatches: true });
      const replace = await store.registry.beginReplace();
      await replace.importBatch([row('p3', 'n3', 'c3')]);
      await replace.commit();
      expect(await store.registry.matchCard(h('c3'), h('n3'))).toEqual({ found: true, nameMatches: true });
      await store.close();
      expect(await sql(schema, 'SELECT version FROM schema_version')).toEqual([{ version: SCHEMA_VERSION }]);
      // With sequential scans priced out, the planner shows which index can answer the query at all.
      const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema} -c enable_seqscan=off` });
      await client.connect();
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          'EXPLAIN SELECT count(*), bool_or(name_hash = $2) FROM registry WHERE card_hash = $1 AND length(card_hash) > 0',
          [h('c3'), h('n3')],
        );
        expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/registry_by_card/);
      } finally {
        await client.end();
      }
    });

    it('refuses a database written by a newer Realname', async () => {
      await openPostgresStore(opts).close().then(async () => {
        const s = openPostgresStore(opts);
        await s.ping();
        await s.close();
      });
      await sql(schema, `UPDATE schema_version SET version = ${SCHEMA_VERSION + 1}`);
      const store = openPostgresStore(opts);
      await expect(store.ping()).rejects.toThrow(/newer than this Realname/);
      await expect(store.apps.list()).rejects.toThrow(/newer than this Realname/);
      await store.close();
    });

    it('leaves no staging table behind after a commit or an abort', async () => {
      const store = openPostgresStore(opts);
      const a = await store.registry.beginReplace();
      await a.importBatch([row('p1', 'n1', null)]);
      await a.abort();
      const b = await store.registry.beginReplace();
      await b.importBatch([row('p2', 'n2', null)]);
      await b.commit();
      const c = await store.registry.beginReplace();
      await c.commit();
      await store.close();
      const tables = await sql<{ t: string }>(
        schema,
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = '${schema}' AND tablename LIKE 'registry%'`,
      );
      expect(tables.map((t) => t.t)).toEqual(['registry']);
      const indexes = await sql<{ i: string }>(schema, `SELECT indexname AS i FROM pg_indexes WHERE schemaname = '${schema}' AND tablename = 'registry'`);
      expect(indexes.map((i) => i.i).sort()).toEqual(['registry_by_card', 'registry_pkey']);
    });

    it('keeps one name per person when two stores import the same person at once', async () => {
      const a = openPostgresStore(opts);
      const b = openPostgresStore(opts);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).registry.importBatch([row('p1', `name-${i}`, `card-${i}`)])),
      );
      expect(results.filter((r) => r.inserted === 1)).toHaveLength(1);
      expect(results.filter((r) => r.conflicts.length === 1)).toHaveLength(19);
      await Promise.all([a.close(), b.close()]);
    });
  });
});

describe.skipIf(!postgresUp || !redisUp)('realname on postgres and redis, through the CLI', () => {
  afterEach(cleanup);

  it('creates apps, serves checks and reports ready from the configured store; sqlite stays untouched', async () => {
    const { schema, drop } = await createSchema();
    cleanups.push(drop);
    const { prefix, drop: dropKeys } = createRedisPrefix();
    cleanups.push(dropKeys);
    const dir = mkdtempSync(join(tmpdir(), 'realname-pg-cli-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // The schema rides in the URL (libpq's options parameter), as an operator would set it.
    const env = {
      REALNAME_STORE: 'postgres',
      REALNAME_POSTGRES_URL: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REALNAME_REDIS_PREFIX: prefix,
    };

    const created = await realname(['apps', 'create', '--name', 'shop', '--quota', '1', '--qps', '5', '--json', '--data', dir], { env });
    expect(created.code).toBe(0);
    const app = JSON.parse(created.stdout) as { appid: string; bucket: string; secretId: string; secretKey: string };
    expect(await sql(schema, 'SELECT appid, quota FROM apps')).toEqual([{ appid: app.appid, quota: '1' }]);

    const { child, url } = await realnameListening(['serve', '--port', '0', '--data', dir, '--redis-url', REDIS_URL], env);
    try {
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', store: 'postgres+redis' });
      const [person] = generateIdentities(1, 11);
      const now = Math.floor(Date.now() / 1000);
      const check = async () => {
        const answer = await fetch(`${url}/auth/idcard`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: signAuthorization({ ...app, expiry: now + 600, now, rand: 1 }),
          },
          body: JSON.stringify({ appid: app.appid, idcard_number: person!.idNumber, idcard_name: person!.name }),
        });
        return ((await answer.json()) as { code: number }).code;
      };
      expect(await check()).toBe(-5807); // no record: billed, the one unit of quota is spent
      expect(await check()).toBe(25);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
    expect(await sql(schema, 'SELECT quota FROM apps')).toEqual([{ quota: '0' }]);
    expect((await sql(schema, 'SELECT code FROM audit ORDER BY seq')).map((r) => r.code)).toEqual(['-5807', '25']);
    expect(existsSync(join(dir, 'realname.db'))).toBe(false);
    // The rate limit and the replay guard kept their keys under the configured prefix.
    const peek = new Redis(REDIS_URL);
    expect(await peek.keys(`${prefix}rate:*`).finally(() => peek.disconnect())).toHaveLength(1);
  });

  it('refuses a postgres store without a URL and a Redis URL without postgres (exit 1), and an unknown store (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-pg-cli-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const noUrl = await realname(['apps', 'list', '--data', dir, '--store', 'postgres'], { env: { REALNAME_POSTGRES_URL: '' } });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toMatch(/needs a connection URL/);
    const redisAlone = await realname(['apps', 'list', '--data', dir, '--redis-url', REDIS_URL], { env: { REALNAME_STORE: '' } });
    expect(redisAlone.code).toBe(1);
    expect(redisAlone.stderr).toMatch(/only used with store postgres/);
    const unknown = await realname(['apps', 'list', '--data', dir, '--store', 'mysql']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/expected sqlite or postgres/);
  });
});

describe.skipIf(!postgresUp)('postgres connections', () => {
  it('run a pool’s session settings before its first query, on every connection it opens', async () => {
    const { schema, drop } = await createSchema();
    cleanups.push(drop);
    const db = openDb({ url: POSTGRES_URL, schema, poolSize: 3, migrate: async () => undefined, session: ['SET synchronous_commit = off'] });
    const plain = openDb({ url: POSTGRES_URL, schema, poolSize: 1, migrate: async () => undefined });
    try {
      // three at once: three connections, each with the setting
      const shown = await Promise.all([1, 2, 3].map(() => db.tx((c) => c.query<{ synchronous_commit: string }>('SHOW synchronous_commit'))));
      expect(shown.map((r) => r.rows[0]!.synchronous_commit)).toEqual(['off', 'off', 'off']);
      expect((await plain.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit).toBe('on');
    } finally {
      await Promise.all([db.end(), plain.end()]);
      await cleanup();
    }
  });
});
