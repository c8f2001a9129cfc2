import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditor } from '../../src/audit/auditor.ts';
import { chainKey, factorHasher } from '../../src/audit/lookup.ts';
import { recordAccess } from '../../src/audit/operator.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import { startRetention } from '../../src/audit/retention.ts';
import type { Logger } from '../../src/log.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { postgresAudit } from '../../src/store/postgres/audit.ts';
import { openDb, type Db } from '../../src/store/postgres/db.ts';
import { migrate } from '../../src/store/postgres/schema.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

/**
 * The audit's tamper evidence on each SQL backend, in-process: a chain per writing process verifies;
 * an UPDATE, a DELETE and an INSERT done behind its back each break it; a purge and an erasure do not;
 * a truncation is caught against a head recorded earlier.
 */

const postgresUp = await requireService('postgres');
const people = [...generateIdentities(6, 31)];
const pepper = randomBytes(32);
const KEY = chainKey(pepper);
const hasher = factorHasher(pepper);

interface Backend {
  open(): Store;
  /** Runs SQL straight on the store's tables, as someone with database access would. */
  sql(text: string, params?: unknown[]): Promise<unknown[]>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sqlite(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-chain-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'realname.db');
  return {
    open: () => openStore({ kind: 'sqlite', file }),
    async sql(text, params = []) {
      const db = new Database(file);
      try {
        const statement = db.prepare(text.replace(/\$\d+/g, '?'));
        return statement.reader ? statement.all(...params) : (statement.run(...params), []);
      } finally {
        db.close();
      }
    },
  };
}

async function postgres(): Promise<Backend> {
  const { schema, drop } = await createSchema();
  cleanups.push(drop);
  return {
    open: () => openStore({ kind: 'postgres', url: POSTGRES_URL, schema }),
    async sql(text, params = []) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query(text, params)).rows;
      } finally {
        await client.end();
      }
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [['sqlite', sqlite]];
if (postgresUp) backends.push(['postgres', postgres]);

/** A store with its chain keyed, as assembleServices leaves it. */
function keyed(b: Backend): Store {
  const store = b.open();
  store.auditTrail!.useKey(KEY);
  cleanups.push(() => store.close());
  return store;
}

/** Writes `n` answers through the auditor (masked and hashed as a dialect's would be), then waits for their commit. */
async function answer(store: Store, n: number, from = 0): Promise<void> {
  const auditor = createAuditor(store.audit, Date.now, hasher);
  for (let i = 0; i < n; i++) {
    const p = people[(from + i) % people.length]!;
    auditor.record({
      checkId: randomBytes(16).toString('hex'),
      appid: '1250000000',
      dialect: 'tencent-image',
      kind: 'idcard2',
      factors: { idNumber: p.idNumber, name: p.name },
      outcome: { checkId: 'x', kind: 'idcard2', verdict: 'match', source: 'registry', billed: true } as never,
      code: '0',
      startedAt: Date.now(),
      route: '/auth/idcard',
      clientIp: '127.0.0.1',
    });
  }
  await store.audit.flush();
}

const verify = (store: Store, expectHeads?: string[]) => verifyAudit(store.auditTrail!, KEY, expectHeads ? { expectHeads } : {});

describe.each(backends)('the audit chain on %s', (_name, make) => {
  it('verifies the batches of several writers, each chain with its head, and stores no plaintext factor', async () => {
    const b = await make();
    const one = keyed(b);
    const two = keyed(b);
    await answer(one, 5);
    await answer(two, 3, 2);
    await answer(one, 4, 1);
    const report = await verify(one);
    expect(report.breaks).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.records).toBe(12);
    expect(report.heads.map((h) => h.chain).sort()).toEqual([one.node, two.node].sort());
    const rows = JSON.stringify(await b.sql('SELECT * FROM audit'));
    for (const p of people) {
      expect(rows).not.toContain(p.idNumber);
      expect(rows).not.toContain(p.name);
    }
    expect(rows).toContain(hasher.hash('idNumber', people[0]!.idNumber));
  });

  it('catches an UPDATE of one record\'s verdict', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 6);
    await b.sql("UPDATE audit SET verdict = 'mismatch' WHERE seq = (SELECT min(seq) + 2 FROM audit)");
    const report = await verify(store);
    expect(report.intact).toBe(false);
    expect(report.breaks[0]).toMatchObject({ problem: 'altered', chain: store.node });
    expect(report.breaks[0]!.message).toMatch(/does not verify \(6 of its 6 records present\): a record was altered/);
  });

  it('catches a DELETE of one record', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 6);
    await b.sql('DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)');
    const report = await verify(store);
    expect(report.breaks[0]).toMatchObject({ problem: 'missing', chain: store.node, n: 1 });
    expect(report.breaks[0]!.message).toMatch(/5 of its 6 records present/);
  });

  it('catches an INSERT of a forged record, into a batch or beside every batch', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 4);
    const columns = 'check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, chain, batch';
    await b.sql(`INSERT INTO audit (${columns}) SELECT 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0', at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, chain, batch FROM audit WHERE seq = (SELECT min(seq) FROM audit)`);
    const forged = await verify(store);
    expect(forged.breaks[0]).toMatchObject({ problem: 'inserted', chain: store.node, n: 1 });
    await b.sql("DELETE FROM audit WHERE check_id = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0'");
    expect((await verify(store)).intact).toBe(true);
    // A record naming an event entry, which holds no records.
    await store.auditTrail!.appendEvent('access', { command: 'audit search', filters: {}, by: {} });
    await b.sql(`INSERT INTO audit (${columns}) SELECT 'f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4', at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, 'events', 1 FROM audit WHERE seq = (SELECT min(seq) FROM audit)`);
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'inserted', checkId: 'f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4' });
    await b.sql("DELETE FROM audit WHERE check_id = 'f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4'");
    // A batch entry given a detail by hand.
    await b.sql("UPDATE audit_chain SET detail = 'x' WHERE kind = 'batch'");
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'altered', n: 1, message: expect.stringMatching(/does not verify: the entry was altered/) });
    await b.sql("UPDATE audit_chain SET detail = NULL WHERE kind = 'batch'");
    expect((await verify(store)).intact).toBe(true);
    // A record naming no batch at all.
    await b.sql(`INSERT INTO audit (${columns}) SELECT 'f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1', at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, NULL, NULL FROM audit WHERE seq = (SELECT min(seq) FROM audit)`);
    const loose = await verify(store);
    expect(loose.breaks[0]).toMatchObject({ problem: 'inserted', checkId: 'f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1' });
  });

  it('catches a forged record given a seq of 0 or below, where no writer puts one', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 3);
    const columns = 'seq, check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, chain, batch';
    for (const [seq, batch] of [[0, 'NULL'], [-5, 'batch']] as const) {
      await b.sql(`INSERT INTO audit (${columns}) SELECT ${seq}, 'f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f${-seq}', at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal, ${batch === 'NULL' ? 'NULL' : 'chain'}, ${batch} FROM audit WHERE seq = (SELECT max(seq) FROM audit)`);
      const report = await verify(store);
      expect(report.intact).toBe(false);
      expect(report.breaks[0]).toMatchObject({ problem: 'inserted', seq });
      await b.sql(`DELETE FROM audit WHERE seq = ${seq}`);
    }
    expect((await verify(store)).intact).toBe(true);
  });

  it.runIf(_name === 'sqlite')('reads a record whose masks cell is not JSON: its batch does not verify, and searches still list every record', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 4);
    await b.sql("UPDATE audit SET masked = 'not json' WHERE seq = (SELECT min(seq) + 1 FROM audit)");
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'altered', n: 1 });
    const all = [];
    for await (const r of store.auditTrail!.search({})) all.push(r);
    expect(all).toHaveLength(4);
  });

  it('catches a batch removed with its chain entry, and a truncation against the head recorded earlier', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 2);
    await answer(store, 2);
    await answer(store, 2);
    const head = (await verify(store)).heads[0]!.head;
    await b.sql('DELETE FROM audit WHERE batch = 2');
    await b.sql('DELETE FROM audit_chain WHERE n = 2');
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'missing', n: 2 });
    // The newest batch gone, rows and entry: the chain alone cannot tell, the head recorded can.
    const c = await make();
    const other = keyed(c);
    await answer(other, 2);
    await answer(other, 2);
    const recorded = (await verify(other)).heads[0]!.head;
    await c.sql('DELETE FROM audit WHERE batch = 2');
    await c.sql('DELETE FROM audit_chain WHERE n = 2');
    expect((await verify(other)).intact).toBe(true);
    const truncated = await verify(other, [recorded]);
    expect(truncated.intact).toBe(false);
    expect(truncated.breaks[0]!.message).toMatch(/ends at entry 1, before the head recorded/);
    expect(head).toMatch(/^[0-9a-f]{16}:3:[0-9a-f]{64}$/);
  });

  it('verifies from --since on only: an older batch is not this run\'s to check', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = Date.now();
    await answer(store, 2);
    await answer(store, 1);
    await b.sql("UPDATE audit SET code = '1' WHERE batch = 1");
    const recent = await verifyAudit(store.auditTrail!, KEY, { since });
    expect(recent.breaks).toEqual([]);
    expect(recent.records).toBe(3);
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'altered', n: 1 });
    await b.sql("UPDATE audit SET code = '1' WHERE batch = 3");
    expect((await verifyAudit(store.auditTrail!, KEY, { since })).breaks[0]).toMatchObject({ problem: 'altered', n: 3 });
  });

  it('passes after a purge, which removes whole old batches and says where each chain resumes', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cut = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await answer(store, 2);
    const before = (await verify(store)).heads[0]!.head;
    const purged = await store.auditTrail!.purge(cut, { test: true });
    expect(purged).toEqual({ records: 3, batches: 1 });
    const after = await verify(store, [before]);
    expect(after.breaks).toEqual([]);
    expect(after.records).toBe(2);
    // A second purge by another process keeps the first one's resume point.
    const purger = keyed(b);
    await answer(store, 1);
    await purger.auditTrail!.purge(Date.now() + 1, { test: true });
    const again = await verify(store);
    expect(again.breaks).toEqual([]);
    expect(again.records).toBe(0);
    // The purge events are in the chain: altering one is a break.
    await b.sql("UPDATE audit_chain SET detail = replace(detail, '\"records\":3', '\"records\":1') WHERE kind = 'purge'");
    expect((await verify(store)).intact).toBe(false);
  });

  it('serve\'s daily retention purges what is past retentionDays, once a day, and the chain still verifies', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 4);
    const logger = { info: () => undefined, warn: () => undefined } as unknown as Logger;
    // Three days from now, with one day kept: everything written today is past it.
    const later = Date.now() + 3 * 86_400_000;
    const retention = startRetention({ trail: store.auditTrail!, days: 1, timeZone: 'UTC', logger, clock: () => later, everyMs: 10 });
    try {
      for (let i = 0; i < 200 && (await b.sql('SELECT seq FROM audit')).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await b.sql('SELECT seq FROM audit')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      retention.stop();
    }
    const purges = await b.sql("SELECT detail FROM audit_chain WHERE kind = 'purge'");
    expect(purges).toHaveLength(1);
    expect(JSON.parse(String((purges[0] as { detail: string }).detail))).toMatchObject({ records: 4, batches: 1, by: { retention: 1, by: 'serve' } });
    expect((await verify(store)).breaks).toEqual([]);
  });

  it('keeps every event of every process in one events chain: deleting one command\'s event is caught, and events written at once never fork it', async () => {
    const b = await make();
    const serving = keyed(b);
    await answer(serving, 3);
    // Three short-lived commands, each its own process (a store of its own), as `realname audit search` runs.
    for (const command of ['audit search', 'subject report', 'usage']) {
      const cli = keyed(b);
      await cli.auditTrail!.appendEvent('access', { command, filters: {}, by: { user: 'op' } });
      await cli.close();
    }
    const report = await verify(serving);
    expect(report.breaks).toEqual([]);
    expect(report.heads.find((h) => h.chain === 'events')).toMatchObject({ n: 3, entries: 3, batches: 0 });
    // Two processes writing events at the same moment extend the one chain in turn.
    const [one, two] = [keyed(b), keyed(b)];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).auditTrail!.appendEvent('access', { command: `c${i}`, filters: {}, by: {} })));
    const both = await verify(serving);
    expect(both.breaks).toEqual([]);
    expect(both.heads.find((h) => h.chain === 'events')!.n).toBe(13);
    const recorded = both.heads.find((h) => h.chain === 'events')!.head;
    expect(recorded).toMatch(/^events:13:[0-9a-f]{64}$/);
    // One command's event deleted, as someone hiding that they looked a person up would.
    await b.sql("DELETE FROM audit_chain WHERE chain = 'events' AND n = 2");
    const hidden = await verify(serving);
    expect(hidden.intact).toBe(false);
    expect(hidden.breaks[0]).toMatchObject({ problem: 'missing', chain: 'events', n: 2 });
    // The newest one deleted: the head recorded tells.
    const c = await make();
    const other = keyed(c);
    await other.auditTrail!.appendEvent('access', { command: 'audit search', filters: {}, by: {} });
    const head = (await verify(other)).heads[0]!.head;
    await other.auditTrail!.appendEvent('access', { command: 'audit export', filters: {}, by: {} });
    const newest = (await verify(other)).heads[0]!.head;
    await c.sql("DELETE FROM audit_chain WHERE chain = 'events' AND n = 2");
    expect((await verify(other, [head])).intact).toBe(true);
    expect((await verify(other, [newest])).breaks[0]!.message).toMatch(/chain events ends at entry 1, before the head recorded/);
  });

  it('holds the chains to the heads an earlier verify recorded: the newest batch removed since is caught without --expect-head', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 2);
    await answer(store, 2);
    const first = await verify(store);
    // What `realname audit verify` records of its run (src/cli/audit.ts).
    await recordAccess(store.auditTrail!, 'audit verify', { intact: true, records: first.records, heads: first.heads.map((h) => h.head) });
    await answer(store, 2);
    expect((await verify(store)).breaks).toEqual([]);
    // The two newest batches and their entries removed: one of them was seen by the run.
    await b.sql(`DELETE FROM audit WHERE chain = '${store.node}' AND batch >= 2`);
    await b.sql(`DELETE FROM audit_chain WHERE chain = '${store.node}' AND n >= 2`);
    const report = await verify(store);
    expect(report.intact).toBe(false);
    expect(report.breaks[0]!.message).toMatch(new RegExp(`chain ${store.node} ends at entry 1, before the head recorded \\(${store.node}:2:[0-9a-f]{64}\\) \\(recorded by audit verify at .*\\): its newest entries were removed`));
    // A purge past the recorded head is no break.
    const c = await make();
    const other = keyed(c);
    await answer(other, 2);
    const seen = await verify(other);
    await recordAccess(other.auditTrail!, 'audit verify', { intact: true, heads: seen.heads.map((h) => h.head) });
    await other.auditTrail!.purge(Date.now() + 1, { test: true });
    expect((await verify(other)).breaks).toEqual([]);
  });

  it('catches the mark of records from before the chain raised, to pass an inserted row as an old one', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 3);
    await store.auditTrail!.appendEvent('access', { command: 'audit search', filters: {}, by: {} });
    const columns = 'check_id, at, appid, dialect, kind, verdict, code, masked, source, billed, latency_ms, refusal';
    await b.sql(`INSERT INTO audit (${columns}) SELECT 'f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3', ${columns.split(', ').slice(1).join(', ')} FROM audit WHERE seq = (SELECT min(seq) FROM audit)`);
    await b.sql('UPDATE audit_legacy SET upto = 1000');
    const report = await verify(store);
    expect(report.intact).toBe(false);
    expect(report.legacy).toBe(0);
    expect(report.breaks.map((x) => x.message).join('\n')).toMatch(/the mark of records written before the chain says 1000, the chain's events say 0/);
    expect(report.breaks.some((x) => x.problem === 'inserted' && x.checkId === 'f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3')).toBe(true);
    // Later events carry the mark sealed first, not the table's.
    await store.auditTrail!.appendEvent('access', { command: 'usage', filters: {}, by: {} });
    expect((await verify(store)).breaks.some((x) => /says 1000, the chain's events say 0/.test(x.message))).toBe(true);
  });

  it('resumes the events chain after a purge removed its old events, and catches a purge event deleted', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 2);
    await store.auditTrail!.appendEvent('access', { command: 'audit search', filters: {}, by: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cut = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.auditTrail!.appendEvent('access', { command: 'usage', filters: {}, by: {} });
    const purger = keyed(b);
    expect(await purger.auditTrail!.purge(cut, { test: true })).toEqual({ records: 2, batches: 1 });
    await store.auditTrail!.appendEvent('access', { command: 'audit verify', filters: {}, by: {} });
    const after = await verify(store);
    expect(after.breaks).toEqual([]);
    expect(after.heads.find((h) => h.chain === 'events')).toMatchObject({ n: 4, entries: 3 });
    // Everything purged, the events chain's old entries with it: it still links on.
    await purger.auditTrail!.purge(Date.now() + 1, { test: true });
    await store.auditTrail!.appendEvent('access', { command: 'audit search', filters: {}, by: {} });
    expect((await verify(store)).breaks).toEqual([]);
    // The purge event that says where the chains resume, deleted: a break.
    await b.sql("DELETE FROM audit_chain WHERE kind = 'purge' AND n = (SELECT max(n) FROM audit_chain WHERE kind = 'purge')");
    expect((await verify(store)).intact).toBe(false);
  });

  it('passes after an erasure, which blanks the person\'s masks and hashes and keeps the records', async () => {
    const b = await make();
    const store = keyed(b);
    await answer(store, 6);
    const target = people[1]!;
    const hash = hasher.hash('idNumber', target.idNumber);
    const { records } = await store.auditTrail!.erase({ idNumber: hash, bankCards: [], phones: [] }, { test: true });
    expect(records).toBe(1);
    expect((await verify(store)).breaks).toEqual([]);
    const found = [];
    for await (const r of store.auditTrail!.search({ hash: { factor: 'idNumber', value: hash } })) found.push(r);
    expect(found).toEqual([]);
    const all = [];
    for await (const r of store.auditTrail!.search({})) all.push(r);
    expect(all).toHaveLength(6);
    expect(all.filter((r) => r.masked.idNumber === '<erased>')).toHaveLength(1);
    // Blanking another record by hand is not an erasure.
    await b.sql("UPDATE audit SET masked = '{}' WHERE seq = (SELECT max(seq) FROM audit)");
    expect((await verify(store)).breaks[0]).toMatchObject({ problem: 'altered' });
  });
});

describe.skipIf(!postgresUp)('a PostgreSQL audit commit whose answer is lost', () => {
  it('is recognised on the retry by its chain entry: stored once, the chain intact, the writer not stuck', async () => {
    const { schema, drop } = await createSchema();
    cleanups.push(drop);
    const db = openDb({ url: POSTGRES_URL, schema, migrate, poolSize: 2 });
    cleanups.push(() => db.end());
    // The connection drops after PostgreSQL committed the batch, before its answer arrived.
    let lose = false;
    const lossy: Db = {
      ...db,
      query: (async (...args: Parameters<Db['query']>) => {
        const result = await (db.query as (...a: unknown[]) => Promise<unknown>)(...args);
        if (lose && String(args[0]).includes('INSERT INTO audit (')) {
          lose = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return result;
      }) as Db['query'],
    };
    const silent = { error: () => undefined, warn: () => undefined, info: () => undefined } as unknown as Logger;
    const { sink, trail } = postgresAudit(lossy, 'c0ffee0123456789', silent);
    trail.useKey(KEY);
    const store = { audit: sink, auditTrail: trail } as unknown as Store;
    await answer(store, 3);
    lose = true;
    const auditor = createAuditor(sink, Date.now, hasher);
    auditor.record({ checkId: 'ab'.repeat(16), appid: '1', dialect: 'submail', kind: 'idcard2', factors: { idNumber: people[0]!.idNumber, name: people[0]!.name }, code: '0', startedAt: Date.now() });
    await sink.flushWithin(10_000);
    await answer(store, 2);
    const report = await verifyAudit(trail, KEY);
    expect(report.breaks).toEqual([]);
    expect(report.records).toBe(6);
    expect((await db.query('SELECT count(*)::int AS n FROM audit')).rows[0]).toEqual({ n: 6 });
    expect(report.heads[0]!.n).toBe(3);
    await sink.close();
  });
});
