import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/log.ts';
import { AUDIT_BATCH, createBufferedAudit } from '../../src/store/audit-buffer.ts';
import type { AuditRecord } from '../../src/store/types.ts';
import { auditRecord } from './contract.ts';

/** What the sink says about failures: only its error lines are looked at. */
const log = { error: vi.fn() };

/** A backend that keeps batches in an array and fails the next `failures` writes. */
function backend<W extends void | Promise<void>>(wrap: (write: () => void) => W) {
  const written: AuditRecord[] = [];
  const batches: number[] = [];
  const state = { failures: 0 };
  return {
    written,
    batches,
    state,
    sink: createBufferedAudit({
      writeBatch: (batch: AuditRecord[]) =>
        wrap(() => {
          if (state.failures > 0) {
            state.failures--;
            throw new Error('disk full');
          }
          batches.push(batch.length);
          written.push(...batch);
        }),
      read: (appid, limit) =>
        written.filter((r) => appid === undefined || r.appid === appid).reverse().slice(0, limit),
    }, log as unknown as Logger),
  };
}
const sync = (write: () => void): void => write();
const async = async (write: () => void): Promise<void> => {
  await new Promise((resolve) => setImmediate(resolve));
  write();
};

const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => auditRecord(`chk-${from + i}`, from + i, '1000001'));

describe('buffered audit sink', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const [name, wrap] of [
    ['synchronous backend', sync],
    ['asynchronous backend', async],
  ] as const) {
    describe(name, () => {
      it('writes nothing during the call, then everything on the next turn, in order', async () => {
        const b = backend(wrap);
        for (const r of records(3)) b.sink.write(r);
        expect(b.written).toEqual([]);
        await b.sink.flush();
        expect(b.written.map((r) => r.checkId)).toEqual(['chk-0', 'chk-1', 'chk-2']);
      });

      it('writes in batches of at most AUDIT_BATCH records', async () => {
        const b = backend(wrap);
        for (const r of records(AUDIT_BATCH * 2 + 1)) b.sink.write(r);
        await b.sink.flush();
        expect(b.batches.every((n) => n <= AUDIT_BATCH)).toBe(true);
        expect(b.written.map((r) => r.checkId)).toEqual(records(AUDIT_BATCH * 2 + 1).map((r) => r.checkId));
      });

      it('reads its own writes', async () => {
        const b = backend(wrap);
        for (const r of records(4)) b.sink.write(r);
        expect((await b.sink.query({ limit: 2 })).map((r) => r.checkId)).toEqual(['chk-3', 'chk-2']);
      });

      it('keeps a failed batch and retries it a second later, in front of newer records', async () => {
        // Only the retry delay is faked; the flush on the next turn (setImmediate) runs for real.
        vi.useFakeTimers({ toFake: ['setTimeout'] });
        log.error.mockClear();
        try {
          const b = backend(wrap);
          b.state.failures = 1;
          for (const r of records(2)) b.sink.write(r);
          await vi.waitFor(() => expect(log.error).toHaveBeenCalledOnce());
          expect(b.written).toEqual([]);
          b.sink.write(records(1, 2)[0]!);
          await new Promise((resolve) => setImmediate(resolve));
          expect(b.written).toEqual([]);
          await vi.advanceTimersByTimeAsync(1000);
          await vi.waitFor(() => expect(b.written).toHaveLength(3));
          expect(b.written.map((r) => r.checkId)).toEqual(['chk-0', 'chk-1', 'chk-2']);
        } finally {
          vi.useRealTimers();
        }
      });

      it('close writes what is buffered and refuses later records', async () => {
        const b = backend(wrap);
        for (const r of records(2)) b.sink.write(r);
        await b.sink.close();
        expect(b.written).toHaveLength(2);
        expect(() => b.sink.write(records(1)[0]!)).toThrow(/closed/);
      });
    });
  }

  it('a synchronous backend has written everything when close returns', () => {
    const b = backend(sync);
    for (const r of records(3)) b.sink.write(r);
    const returned = b.sink.close();
    expect(returned).toBeUndefined();
    expect(b.written).toHaveLength(3);
  });
});
