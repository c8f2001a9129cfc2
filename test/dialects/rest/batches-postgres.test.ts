import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealname } from '@realname/client';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { createRegistryHasher } from '../../../src/registry/hash.ts';
import { importRegistry } from '../../../src/registry/import.ts';
import { buildServer } from '../../../src/server.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../../helpers/services.ts';

/** Batches on PostgreSQL: two nodes share the store; a batch is leased to one, and runs to the end. */
const available = await requireService('postgres');
const withRedis = available && (await requireService('redis'));

for (const queued of [false, true]) describe.skipIf(!available || (queued && !withRedis))(`batches on PostgreSQL${queued ? ' + Redis (chunks on BullMQ)' : ''}`, () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  const stores: Store[] = [];
  const closers: Array<() => Promise<void>> = [];
  const masterKey = randomBytes(32);
  const people = [...generateIdentities(20, 23)];

  async function node() {
    const store = openStore({ kind: 'postgres', url: POSTGRES_URL, schema: schema.schema });
    stores.push(store);
    const services = assembleServices({
      store,
      masterKey,
      batches: { chunkRows: 7 },
      ...(queued ? { batchQueue: { redisUrl: REDIS_URL, prefix: `test:${schema.schema}:` } } : {}),
    });
    const server = buildServer({ services, store });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    services.batches!.start();
    closers.push(async () => {
      await services.batches!.stop();
      await server.close();
      await services.counters.close();
      await store.close();
    });
    return { services, url, store };
  }

  beforeAll(async () => {
    schema = await createSchema();
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await schema?.drop();
  });

  it('runs a batch over two nodes sharing the store: every row once, in input order', { timeout: 60_000 }, async () => {
    const a = await node();
    const b = await node();
    const csv = ['name,idNumber,bankCard,phone', ...people.map((p) => `${p.name},${p.idNumber},${p.bankCard},${p.phone}`)].join('\n');
    await importRegistry({ input: Readable.from([csv]), format: 'csv', store: a.store.registry, hasher: createRegistryHasher(masterKey), now: new Date() });
    const app = await a.services.tenants.create({ name: 'pg batch', quota: 1000 });
    const { key } = await a.services.apiKeys.create(app.appid);
    const rows = Array.from({ length: 100 }, (_, i) => JSON.stringify({ name: people[i % 20]!.name, idNumber: people[i % 20]!.idNumber })).join('\n');
    const created = await createRealname({ baseUrl: a.url, apiKey: key }).createBatch(rows, { format: 'jsonl', kind: 'idcard2' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    // Read through the other node.
    const other = createRealname({ baseUrl: b.url, apiKey: key });
    for (;;) {
      const status = await other.getBatch(created.data.id);
      if (status.ok && status.data.state === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const results = [];
    for await (const row of other.batchResults(created.data.id)) results.push(row);
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(results.every((r) => r.verdict === 'match' && r.billed)).toBe(true);
    await a.store.audit.flush();
    const billed = (await a.store.audit.query({ appid: app.appid, limit: 1000 })).filter((r) => r.billed);
    expect(new Set(billed.map((r) => r.checkId)).size).toBe(100);
    expect(billed).toHaveLength(100);
    // 15 chunks of 7 rows: with the queue both nodes work on them, without it the batch is one node's.
    const chunks = [a, b].map((n) => n.services.batches!.stats().chunks);
    expect(chunks[0]! + chunks[1]!).toBe(15);
    if (queued) expect(Math.min(...chunks)).toBeGreaterThan(0);
    else expect(Math.min(...chunks)).toBe(0);
  });
});
