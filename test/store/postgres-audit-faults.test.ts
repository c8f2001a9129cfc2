import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { AuditRecord, Store } from '../../src/store/types.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';
import { auditRecord } from './contract.ts';

const postgresUp = await requireService('postgres');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const drop of cleanups.splice(0)) await drop();
});

async function fresh(auditBuffer?: number): Promise<{ store: Store; schema: string }> {
  const { schema, drop } = await createSchema();
  const store = openPostgresStore({ url: POSTGRES_URL, schema, ...(auditBuffer ? { auditBuffer } : {}) });
  cleanups.push(async () => {
    await store.close().catch(() => undefined);
    await drop();
  });
  return { store, schema };
}

async function sql(schema: string, text: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const record = (checkId: string, masked: AuditRecord['masked'] = { name: '张*', idNumber: '1101**********1234' }): AuditRecord => ({
  ...auditRecord(checkId, Date.now(), '1250000001'),
  masked,
});
const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
  const error = console.error;
  console.error = () => undefined;
  try {
    return await run();
  } finally {
    console.error = error;
  }
};

/** Issue 17 #1: one record jsonb cannot hold stopped the audit log of the process for good. */
describe.skipIf(!postgresUp)('postgres audit log: a record the store cannot hold as sent', () => {
  it('is stored with the value replaced and marked, and every other record of its batch is stored', async () => {
    const { store, schema } = await fresh();
    const sent = [record('a'), record('lone-surrogate', { name: '\uD800' }), record('b'), record('nul', { name: '\u0000abc', idNumber: '1101**********1234' }), record('c')];
    for (const r of sent) store.audit.write(r);
    await quietly(() => store.audit.flush());
    const rows = await sql(schema, 'SELECT check_id, masked FROM audit ORDER BY seq');
    expect(rows.map((r) => r.check_id)).toEqual(['a', 'lone-surrogate', 'b', 'nul', 'c']);
    expect(rows.find((r) => r.check_id === 'lone-surrogate')?.masked).toEqual({ name: '<unstorable, 1 chars>' });
    expect(rows.find((r) => r.check_id === 'nul')?.masked).toEqual({ name: '<unstorable, 4 chars>', idNumber: '1101**********1234' });
    expect(store.audit.health()).toMatchObject({ buffered: 0, failing: false, salvaged: 2, dropped: 0 });
    // and the log goes on
    store.audit.write(record('d'));
    await store.audit.flush();
    expect((await store.audit.query({ limit: 1 }))[0]?.checkId).toBe('d');
  });

  it('splits a batch the store refuses to find the record at fault, whatever the reason', async () => {
    const { store, schema } = await fresh();
    await store.ping(); // creates the tables
    // A refusal salvage does not foresee: this schema refuses one particular masked name.
    await sql(schema, `ALTER TABLE audit ADD CONSTRAINT no_poison CHECK (masked->>'name' IS DISTINCT FROM '毒*')`);
    const sent = Array.from({ length: 300 }, (_, i) => (i === 137 ? record('poison', { name: '毒*' }) : record(`r${i}`)));
    for (const r of sent) store.audit.write(r);
    await quietly(() => store.audit.flush());
    const rows = await sql(schema, 'SELECT check_id, masked FROM audit ORDER BY seq');
    expect(rows).toHaveLength(300);
    expect(rows.map((r) => r.check_id)).toEqual(sent.map((r) => r.checkId));
    expect(rows[137]?.masked).toEqual({ name: '<unstorable, 2 chars>' });
  });
});

describe.skipIf(!postgresUp)('postgres audit log: a store that is down', () => {
  it('keeps the batch, refuses checks meanwhile (accepting false), and writes everything once it is back', async () => {
    const { store, schema } = await fresh();
    await store.ping();
    await sql(schema, 'ALTER TABLE audit RENAME TO audit_away');
    for (const r of [record('x1'), record('x2')]) store.audit.write(r);
    await quietly(() => expect(store.audit.flush()).rejects.toThrow(/audit/));
    expect(store.audit.accepting()).toBe(false);
    expect(store.audit.health()).toMatchObject({ buffered: 2, failing: true });
    await sql(schema, 'ALTER TABLE audit_away RENAME TO audit');
    await quietly(() => store.audit.flushWithin(5000));
    expect(store.audit.accepting()).toBe(true);
    expect((await sql(schema, 'SELECT check_id FROM audit ORDER BY seq')).map((r) => r.check_id)).toEqual(['x1', 'x2']);
  });

  it('holds at most the configured number of records', async () => {
    const { store, schema } = await fresh(50);
    await store.ping();
    await sql(schema, 'ALTER TABLE audit RENAME TO audit_away');
    for (let i = 0; i < 80; i++) store.audit.write(record(`y${i}`));
    await quietly(() => expect(store.audit.flush()).rejects.toThrow());
    expect(store.audit.health()).toMatchObject({ buffered: 50, limit: 50, dropped: 30 });
    await sql(schema, 'ALTER TABLE audit_away RENAME TO audit');
    await quietly(() => store.audit.flushWithin(5000));
    expect(await sql(schema, 'SELECT count(*)::int AS n FROM audit')).toEqual([{ n: 50 }]);
  });
});
