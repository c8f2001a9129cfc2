import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/sources/router.ts';
import { SourceFailure, type Source } from '../../src/sources/types.ts';
import { createVerifier } from '../../src/service/verifier.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import type { App } from '../../src/store/types.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';

const [person] = [...generateIdentities(1, 3)];
const today = () => Date.UTC(2026, 10, 23);

function appWith(quota: number | null): App {
  return {
    appid: '1250000001', name: 't', bucket: 'default', buckets: ['default'], qps: null, quota, checks: null,
    ipAllow: null, dailyPerId: null, dailyPerName: null, suspended: false, replayGuard: true, appkeySealed: 'x', createdAt: 0,
  };
}

async function setup(source: Source, quota: number | null) {
  const store = openMemoryStore();
  const app = appWith(quota);
  await store.apps.create(app, { secretId: 'AKID1', appid: app.appid, secretKeySealed: 'x', revoked: false, createdAt: 0 });
  const verifier = createVerifier(store.apps, createRouter([source], { timeoutMs: 50 }), today);
  const quotaLeft = async () => (await store.apps.get(app.appid))?.quota;
  return { verifier, app, quotaLeft };
}

const answering = (answer: Awaited<ReturnType<Source['check']>>): Source => ({ name: 'fixed', supports: () => true, check: async () => answer });

describe('the check path: validate → reserve → source → settle', () => {
  it('bills a verdict and carries facts derived offline', async () => {
    const { verifier, app, quotaLeft } = await setup(answering({ verdict: 'match' }), 3);
    const result = await verifier.verify({ checkId: 'c1', app, kind: 'bankcard3', factors: person! });
    expect(result).toMatchObject({ outcome: { verdict: 'match', billed: true, source: 'fixed', kind: 'bankcard3' } });
    if (!('outcome' in result)) throw new Error('expected an outcome');
    expect(result.outcome.subject?.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(result.outcome.card?.bank?.name).toBeTruthy();
    expect(await quotaLeft()).toBe(2);
  });

  it('neither bills nor asks a source for invalid input', async () => {
    let asked = 0;
    const source: Source = { name: 's', supports: () => true, check: async () => (asked++, { verdict: 'match' }) };
    const { verifier, app, quotaLeft } = await setup(source, 3);
    const result = await verifier.verify({ checkId: 'c2', app, kind: 'idcard2', factors: { ...person!, idNumber: '110105194912310021' } });
    expect(result).toMatchObject({ outcome: { verdict: 'invalid', billed: false, invalid: { field: 'idNumber' } } });
    expect(asked).toBe(0);
    expect(await quotaLeft()).toBe(3);
  });

  it('gives the unit back when the source fails', async () => {
    const down: Source = { name: 'down', supports: () => true, check: async () => { throw new SourceFailure('unreachable', 'down'); } };
    const { verifier, app, quotaLeft } = await setup(down, 1);
    const result = await verifier.verify({ checkId: 'c3', app, kind: 'idcard2', factors: person! });
    expect(result).toMatchObject({ outcome: { verdict: 'unavailable', unavailable: 'unreachable', billed: false } });
    expect(await quotaLeft()).toBe(1);
  });

  it('refuses when the balance is spent, before asking the source', async () => {
    const { verifier, app } = await setup(answering({ verdict: 'not_found' }), 0);
    expect(await verifier.verify({ checkId: 'c4', app, kind: 'idcard2', factors: person! })).toEqual({ refusal: 'quota_exhausted' });
  });
});
