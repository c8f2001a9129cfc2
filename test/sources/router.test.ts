import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/sources/router.ts';
import { SourceFailure, type Source, type SourceAnswer } from '../../src/sources/types.ts';

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
