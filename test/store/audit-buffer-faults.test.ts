import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createBufferedAudit, salvageRecord, type AuditBackend } from '../../src/store/audit-buffer.ts';
import type { AuditRecord } from '../../src/store/types.ts';
import { auditRecord } from './contract.ts';

/** A store's refusal of a value it cannot hold (PostgreSQL's data-exception class), as opposed to being down. */
class Refused extends Error {
  code = '22P05';
}

/**
 * A backend that refuses, like PostgreSQL's jsonb, any batch holding a NUL or a lone surrogate in a masked
 * value, and fails every write with "connection refused" while `down`.
 */
function strictBackend(wrap: <T>(write: () => T) => T | Promise<T> = (w) => w()) {
  const written: AuditRecord[] = [];
  const attempts: number[] = [];
  const state = { down: false };
  const unstorable = (r: AuditRecord) => Object.values(r.masked).some((v) => v !== undefined && (v.includes('\u0000') || /[\uD800-\uDFFF]/.test(v)));
  const backend: AuditBackend<void | Promise<void>> = {
    writeBatch: (batch) =>
      wrap(() => {
        attempts.push(batch.length);
        if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        if (batch.some(unstorable)) throw new Refused('unsupported Unicode escape sequence');
        written.push(...batch);
      }) as void | Promise<void>,
    read: (_appid, limit) => [...written].reverse().slice(0, limit),
    refused: (error) => error instanceof Refused,
    salvage: salvageRecord,
  };
  return { backend, written, attempts, state };
}

const quiet = createLogger({ level: 'silent' });
const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => auditRecord(`chk-${from + i}`, from + i, '1250000001'));
const poisoned = (checkId: string, name: string): AuditRecord => ({ ...auditRecord(checkId, 0, '1250000001'), masked: { name, idNumber: '1101**********1234' } });
const later = <T>(write: () => T) => new Promise<T>((resolve, reject) => setImmediate(() => { try { resolve(write()); } catch (e) { reject(e); } }));

describe('an audit record the store cannot hold as sent (issue 17 #1)', () => {
  for (const [name, wrap] of [['synchronous', undefined], ['asynchronous', later]] as const) {
    it(`${name}: is stored with the unstorable value replaced and marked, and holds back no other record`, async () => {
      const b = strictBackend(wrap);
      const sink = createBufferedAudit(b.backend, quiet);
      const batch = [...records(5), poisoned('bad-surrogate', '\uD800'), ...records(5, 5), poisoned('bad-nul', '\u0000abc'), ...records(3, 10)];
      for (const r of batch) sink.write(r);
      await sink.flush();
      // every record is there, in the order written
      expect(b.written.map((r) => r.checkId)).toEqual(batch.map((r) => r.checkId));
      const bad = b.written.filter((r) => r.checkId.startsWith('bad-'));
      expect(bad.map((r) => r.masked)).toEqual([
        { name: '<unstorable, 1 chars>', idNumber: '1101**********1234' },
        { name: '<unstorable, 4 chars>', idNumber: '1101**********1234' },
      ]);
      expect(sink.health()).toMatchObject({ buffered: 0, failing: false, salvaged: 2, dropped: 0 });
      // later records are written as usual
      for (const r of records(3, 100)) sink.write(r);
      await sink.flush();
      expect(b.written).toHaveLength(batch.length + 3);
    });
  }

  it('finds the record at fault by splitting the batch, not by writing records one by one', async () => {
    const b = strictBackend();
    const sink = createBufferedAudit(b.backend, quiet);
    for (const r of [...records(255), poisoned('bad', '\u0000'), ...records(256, 255)]) sink.write(r);
    await sink.flush();
    expect(b.written).toHaveLength(512);
    // one refused batch of 512, then halves down to the one record: about 2·log2(512) writes, not 512
    expect(b.attempts[0]).toBe(512);
    expect(b.attempts.length).toBeLessThan(25);
  });

  it('does not split a batch when the store is down: the whole batch waits and is retried', async () => {
    const b = strictBackend();
    const sink = createBufferedAudit(b.backend, quiet);
    b.state.down = true;
    for (const r of records(10)) sink.write(r);
    await expect(sink.flush()).rejects.toThrow(/ECONNREFUSED/);
    expect(b.attempts).toEqual([10]);
    expect(sink.health()).toMatchObject({ buffered: 10, failing: true });
    b.state.down = false;
    await sink.flush();
    expect(b.written.map((r) => r.checkId)).toEqual(records(10).map((r) => r.checkId));
    expect(sink.health().failing).toBe(false);
  });
});

describe('a bounded audit buffer', () => {
  it('holds at most `limit` records, stops accepting checks at 90 % of it, and counts what it drops', async () => {
    const b = strictBackend();
    const sink = createBufferedAudit(b.backend, quiet, { limit: 100 });
    b.state.down = true;
    expect(sink.accepting()).toBe(true);
    for (const r of records(89)) sink.write(r);
    // still writable: failing is only known once a write has failed
    await expect(sink.flush()).rejects.toThrow();
    // a store that refuses writes is reason enough not to answer checks
    expect(sink.accepting()).toBe(false);
    b.state.down = false;
    await sink.flush();
    expect(sink.accepting()).toBe(true);

    b.state.down = true;
    for (const r of records(120, 1000)) sink.write(r);
    await expect(sink.flush()).rejects.toThrow();
    expect(sink.health()).toMatchObject({ buffered: 100, limit: 100, failing: true, dropped: 20 });
    b.state.down = false;
    await sink.flush();
    // the first 100 were kept, in order, and written once the store was back
    expect(b.written.slice(89).map((r) => r.checkId)).toEqual(records(100, 1000).map((r) => r.checkId));
    expect(sink.health()).toMatchObject({ buffered: 0, failing: false, dropped: 20 });
  });

  it('stops accepting at 90 % of the limit while the store is slow but up', async () => {
    let release: () => void = () => undefined;
    const slow: AuditBackend<Promise<void>> = {
      writeBatch: () => new Promise<void>((resolve) => (release = resolve)),
      read: () => [],
    };
    const sink = createBufferedAudit(slow, quiet, { limit: 100 });
    for (const r of records(89)) sink.write(r);
    expect(sink.accepting()).toBe(true);
    sink.write(records(1, 89)[0]!);
    expect(sink.accepting()).toBe(false);
    const flushed = sink.flush();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await flushed;
    expect(sink.accepting()).toBe(true);
  });
});

describe('waiting until what was written is stored', () => {
  it('calls back at once when nothing waits, and after the write when something does', async () => {
    const b = strictBackend(later);
    const sink = createBufferedAudit(b.backend, quiet);
    let called = 0;
    sink.whenStored(() => called++);
    expect(called).toBe(1);
    sink.write(records(1)[0]!);
    sink.whenStored(() => {
      expect(b.written).toHaveLength(1);
      called++;
    });
    expect(called).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(called).toBe(2);
  });

  it('does not keep anyone waiting while the store is failing', async () => {
    const b = strictBackend(later);
    const sink = createBufferedAudit(b.backend, quiet);
    b.state.down = true;
    sink.write(records(1)[0]!);
    const waited = new Promise<void>((resolve) => sink.whenStored(resolve));
    await waited;
    expect(b.written).toHaveLength(0);
    expect(sink.health().failing).toBe(true);
    let called = false;
    sink.whenStored(() => (called = true));
    expect(called).toBe(true);
  });

  it('flushWithin retries until the store is back, or says how many records could not be written', async () => {
    const b = strictBackend(later);
    const sink = createBufferedAudit(b.backend, quiet);
    b.state.down = true;
    for (const r of records(3)) sink.write(r);
    setTimeout(() => (b.state.down = false), 300);
    await sink.flushWithin(5000);
    expect(b.written).toHaveLength(3);

    b.state.down = true;
    for (const r of records(2, 3)) sink.write(r);
    await expect(sink.flushWithin(200)).rejects.toThrow(/2 audit records could not be written/);
  });
});
