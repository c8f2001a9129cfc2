import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.ts';
import { SCHEMA_VERSION } from '../../src/store/postgres/schema.ts';
import type { Store } from '../../src/store/types.ts';
import { createRedisPrefix, createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../helpers/services.ts';
import { auditRecord, h, makeApp, makeSecret, row, storeContract } from './contract.ts';
import { raceTwoProcesses } from './fixtures/race.ts';

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

    it('keeps apps, quota, registry, nonces and buffered audit records across a reopen', async () => {
      const first = openStore({ kind: 'postgres', ...opts });
      await first.apps.create(makeApp('1000001', { quota: 5 }), makeSecret('AKIDa', '1000001'));
      await first.apps.reserveQuota('1000001');
      await first.registry.importBatch([row('p1', 'n1', 'c1', 'ph1'), row('p1', 'n1', null)]);
      await first.nonces.claim('sig:a', 60_000, 1000);
      first.audit.write(auditRecord('chk-unflushed', 1, '1000001'));
      await first.close();

      const again = openPostgresStore(opts);
      expect((await again.apps.get('1000001'))?.quota).toBe(4);
      expect(await again.apps.getSecret('AKIDa')).toEqual(makeSecret('AKIDa', '1000001'));
      expect(await again.registry.count()).toBe(2);
      expect((await again.registry.lookup(h('p1'))).map((r) => r.cardHash === null).sort()).toEqual([false, true]);
      expect(await again.nonces.claim('sig:a', 60_000, 2000)).toBe(false);
      expect((await again.audit.query({ appid: '1000001' })).map((r) => r.checkId)).toEqual(['chk-unflushed']);
      await again.close();
    });

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
      expect(indexes.map((i) => i.i)).toEqual(['registry_pkey']);
    });

    it('shows a replace committed through another pool to an open store', async () => {
      const reader = openPostgresStore(opts);
      const writer = openPostgresStore(opts);
      await reader.registry.importBatch([row('old', 'n', null)]);
      const replace = await writer.registry.beginReplace();
      await replace.importBatch([row('new', 'n', null)]);
      expect(await reader.registry.lookup(h('new'))).toEqual([]);
      await replace.commit();
      expect(await reader.registry.lookup(h('old'))).toEqual([]);
      expect(await reader.registry.lookup(h('new'))).toHaveLength(1);
      await writer.close();
      await reader.close();
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

    it('hands out exactly a quota of 100 between two processes reserving at once', async () => {
      const store = openPostgresStore(opts);
      await store.apps.create(makeApp('1000001', { quota: 100 }), makeSecret('AKIDa', '1000001'));
      const counts = await raceTwoProcesses({ kind: 'postgres', ...opts }, 'quota', 150);
      expect(counts[0]! + counts[1]!).toBe(100);
      // Both processes really competed (not one finishing before the other began).
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect((await store.apps.get('1000001'))?.quota).toBe(0);
      await store.close();
    });

    it('admits exactly the limit of one window between two processes (rate limits in PostgreSQL)', async () => {
      const counts = await raceTwoProcesses({ kind: 'postgres', ...opts }, 'rate', 100);
      expect(counts[0]! + counts[1]!).toBe(50);
      expect(Math.min(...counts)).toBeGreaterThan(0);
    });
  });
});
