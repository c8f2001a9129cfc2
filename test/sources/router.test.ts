import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/sources/router.ts';
import { SourceFailure, type Source, type SourceAnswer, type SourceCall } from '../../src/sources/types.ts';

function source(name: string, behave: () => Promise<SourceAnswer>, kinds = ['idcard2', 'bankcard3']): Source & { calls: number } {
  const s = {
    name,
    calls: 0,
    supports: (kind: string) => kinds.includes(kind),
    check: () => {
      s.calls++;
      return behave();
    },
  };
  return s;
}

const factors = { idNumber: '11010519491231002X', name: '张三' };

describe('source router', () => {
  it('answers from the first source that supports the kind', async () => {
    const skip = source('vendor-a', async () => ({ verdict: 'match' }), ['bankcard3']);
    const registry = source('registry', async () => ({ verdict: 'mismatch', mismatched: ['name'] }));
    const answer = await createRouter([skip, registry], { timeoutMs: 1000 }).check('idcard2', factors);
    expect(answer).toEqual({ verdict: 'mismatch', mismatched: ['name'], source: 'registry' });
    expect(skip.calls).toBe(0);
  });

  it('fails over to the next source when one errors or times out', async () => {
    const broken = source('broken', async () => {
      throw new SourceFailure('error', 'HTTP 500');
    });
    const slow = source('slow', () => new Promise(() => {}));
    const good = source('good', async () => ({ verdict: 'not_found' }));
    const answer = await createRouter([broken, slow, good], { timeoutMs: 30 }).check('idcard2', factors);
    expect(answer).toEqual({ verdict: 'not_found', source: 'good' });
    expect(broken.calls + slow.calls).toBe(2);
  });

  it('reports the last failure when no source can answer', async () => {
    const broken = source('broken', async () => {
      throw new SourceFailure('error', 'HTTP 500');
    });
    const slow = source('slow', () => new Promise(() => {}));
    expect(await createRouter([broken, slow], { timeoutMs: 20 }).check('idcard2', factors)).toEqual({ unavailable: 'unreachable', source: 'slow' });
    expect(await createRouter([slow, broken], { timeoutMs: 20 }).check('idcard2', factors)).toEqual({ unavailable: 'error', source: 'broken' });
  });

  it('says unreachable when no source supports the kind', async () => {
    expect(await createRouter([], { timeoutMs: 20 }).check('bankcard3', factors)).toEqual({ unavailable: 'unreachable', source: 'none' });
  });

  it('treats an unexpected throw as a source error, not a crash', async () => {
    const buggy = source('buggy', async () => {
      throw new TypeError('boom');
    });
    expect(await createRouter([buggy], { timeoutMs: 20 }).check('idcard2', factors)).toEqual({ unavailable: 'error', source: 'buggy' });
  });
});

describe('source router: what may be asked again', () => {
  /** A source that calls out: it says when its request has left, then behaves as told. */
  function vendor(name: string, behave: (call: SourceCall) => Promise<SourceAnswer>): Source & { calls: number } {
    const s = {
      name,
      upstream: true,
      calls: 0,
      supports: () => true,
      check: (_kind: string, _factors: unknown, call: SourceCall) => {
        s.calls++;
        call.sent?.();
        return behave(call);
      },
    };
    return s;
  }

  it('asks the next source after a vendor error it was not billed for, and names both vendors', async () => {
    const failing = vendor('a', async () => {
      throw new SourceFailure('error', 'vendor error 1223', { code: '1223' });
    });
    const answering = vendor('b', async () => ({ verdict: 'match', vendor: { code: '0', billed: true } }));
    expect(await createRouter([failing, answering], { timeoutMs: 100 }).check('idcard2', factors)).toEqual({ verdict: 'match', source: 'a,b', upstream: true });
  });

  it('stops after a request that was sent and timed out, unless the route says --retry-on-timeout; the request is aborted', async () => {
    let aborted = 0;
    const hanging = vendor('slow', (call) => new Promise((_, reject) => call.signal.addEventListener('abort', () => (aborted++, reject(new SourceFailure('unreachable', 'aborted'))))));
    const next = vendor('next', async () => ({ verdict: 'match' }));
    const strict = await createRouter([{ source: hanging }, { source: next }], { timeoutMs: 30 }).check('idcard2', factors);
    expect(strict).toEqual({ unavailable: 'unreachable', source: 'slow' });
    expect(next.calls).toBe(0);
    const lenient = await createRouter([{ source: hanging, retryOnTimeout: true }, { source: next }], { timeoutMs: 30 }).check('idcard2', factors);
    expect(lenient).toEqual({ verdict: 'match', source: 'slow,next', upstream: true });
    expect(aborted).toBe(2);
  });

  it('stops after a reset of a sent request (ambiguous), but not after one that never left', async () => {
    const reset = vendor('reset', async () => {
      throw new SourceFailure('unreachable', 'no answer', { ambiguous: true });
    });
    const refused: Source = { name: 'refused', upstream: true, supports: () => true, check: async () => Promise.reject(new SourceFailure('unreachable', 'not sent')) };
    const next = vendor('next', async () => ({ verdict: 'not_found' }));
    expect(await createRouter([reset, next], { timeoutMs: 100 }).check('idcard2', factors)).toEqual({ unavailable: 'unreachable', source: 'reset' });
    expect(await createRouter([refused, next], { timeoutMs: 100 }).check('idcard2', factors)).toEqual({ verdict: 'not_found', source: 'next', upstream: true });
    expect(next.calls).toBe(1);
  });

  it('takes each source its own time limit, and routes per kind when given a function', async () => {
    const slowish = vendor('slowish', () => new Promise((resolve) => setTimeout(() => resolve({ verdict: 'match' }), 60)));
    const routes = (kind: string) => (kind === 'idcard2' ? [{ source: slowish, timeoutMs: 500 }] : []);
    const router = createRouter(routes, { timeoutMs: 10 });
    expect(await router.check('idcard2', factors)).toEqual({ verdict: 'match', source: 'slowish', upstream: true });
    expect(await router.check('bankcard3', factors)).toEqual({ unavailable: 'unreachable', source: 'none' });
  });
});
