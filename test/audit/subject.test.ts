import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditor } from '../../src/audit/auditor.ts';
import { chainKey, factorHasher } from '../../src/audit/lookup.ts';
import { currentOperator, recordAccess } from '../../src/audit/operator.ts';
import { SubjectError, subjectErase, subjectReport } from '../../src/audit/subject.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { StoreKeys } from '../../src/keys/ring.ts';
import { registryHasher } from '../../src/registry/hash.ts';
import { importRegistry } from '../../src/registry/import.ts';
import { createResultCache, DEFAULT_CACHE } from '../../src/sources/cache.ts';
import { createRouter } from '../../src/sources/router.ts';
import type { Source } from '../../src/sources/types.ts';
import { memoryResultCache } from '../../src/store/memory-cache.ts';
import { openStore } from '../../src/store/index.ts';

/** A subject's erasure reaches every place the service keeps something of them: registry, cache, audit. */

const [alice, bob, carol] = [...generateIdentities(3, 41)];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An upstream vendor that says match and counts its calls. */
function vendor(): Source & { calls: number } {
  const s = {
    name: 'vendor',
    upstream: true,
    calls: 0,
    supports: () => true,
    async check() {
      s.calls++;
      return { verdict: 'match' as const, vendor: { code: '0', billed: true } };
    },
  };
  return s;
}

async function house(sharedCache: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'realname-subject-'));
  const store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const keys = StoreKeys.single(randomBytes(32));
  store.auditTrail!.useKey(chainKey(keys.pepper));
  const hasher = factorHasher(keys.pepper);
  const csv = `name,idNumber\n${alice!.name},${alice!.idNumber}\n${bob!.name},${bob!.idNumber}\n`;
  await importRegistry({ input: Readable.from([csv]), format: 'csv', store: store.registry, hasher: registryHasher(keys), now: new Date() });
  const upstream = vendor();
  const cache = createResultCache(createRouter([upstream], { timeoutMs: 1000 }), memoryResultCache(), randomBytes(32), DEFAULT_CACHE, store.sources);
  const auditor = createAuditor(store.audit, Date.now, hasher);
  for (const p of [alice!, bob!, alice!]) {
    const answer = await cache.check('idcard2', p, randomBytes(16).toString('hex'), '1');
    auditor.record({ checkId: randomBytes(16).toString('hex'), appid: '1', dialect: 'tencentcloud', kind: 'idcard2', factors: { idNumber: p.idNumber, name: p.name }, code: 'Success', startedAt: Date.now(), outcome: { verdict: 'match', source: answer.source, billed: true } as never });
  }
  await store.audit.flush();
  const deps = { trail: store.auditTrail!, registry: store.registry, sources: store.sources, keys, hasher, cache, sharedCache };
  return { store, keys, deps, cache, upstream };
}

describe('subject erase', () => {
  it('removes the registry rows and cached answers and anonymises the audit records; the report then finds nothing but the erasure', async () => {
    const { deps, cache, upstream, store, keys } = await house(true);
    const before = await subjectReport(deps, { idNumber: alice!.idNumber });
    expect(before.records).toHaveLength(2);
    expect(before.registry.rows).toBe(1);
    const asked = upstream.calls;
    expect((await cache.check('idcard2', alice!, 'x', '1')).source).toBe('cache');
    const result = await subjectErase(deps, { idNumber: alice!.idNumber }, currentOperator());
    expect(result).toMatchObject({ registryRows: 1, auditRecords: 2, cachedAnswers: 1 });
    const after = await subjectReport(deps, { idNumber: alice!.idNumber });
    expect(after.records).toEqual([]);
    expect(after.registry.rows).toBe(0);
    expect(after.erasures).toEqual([expect.objectContaining({ records: 2 })]);
    // The cache no longer answers for them (the vendor is asked again); it still does for others.
    expect((await cache.check('idcard2', alice!, 'y', '1')).source).toBe('vendor');
    expect(upstream.calls).toBe(asked + 1);
    expect((await cache.check('idcard2', bob!, 'z', '1')).source).toBe('cache');
    expect((await subjectReport(deps, { idNumber: bob!.idNumber })).records).toHaveLength(1);
    expect((await verifyAudit(store.auditTrail!, chainKey(keys.pepper))).breaks).toEqual([]);
  });

  it('reaches the checks that carry no ID number: name + card checks of a card seen in their records, or given', async () => {
    const { deps, cache, store, keys, upstream } = await house(true);
    const auditor = createAuditor(store.audit, Date.now, deps.hasher);
    const other = carol!.bankCard; // a second card of Alice's, never checked with her ID number
    const record = async (kind: 'bankcard2' | 'bankcard3', factors: Record<string, string>, verdict = 'match') => {
      const answer = await cache.check(kind, factors, randomBytes(16).toString('hex'), '1');
      auditor.record({ checkId: randomBytes(16).toString('hex'), appid: '1', dialect: 'tencentcloud', kind, factors, code: 'Success', startedAt: Date.now(), outcome: { verdict, source: answer.source, billed: true } as never });
    };
    await record('bankcard3', { idNumber: alice!.idNumber, name: alice!.name, bankCard: alice!.bankCard });
    await record('bankcard2', { name: alice!.name, bankCard: alice!.bankCard });
    await record('bankcard2', { name: alice!.name, bankCard: other });
    await record('bankcard2', { name: bob!.name, bankCard: bob!.bankCard });
    // Bob's check with Alice's card is about Bob: it stays his (and, a mismatch, does not make her card his).
    await record('bankcard3', { idNumber: bob!.idNumber, name: bob!.name, bankCard: alice!.bankCard }, 'mismatch');
    await store.audit.flush();

    const seen = await subjectReport(deps, { idNumber: alice!.idNumber });
    expect(seen.records.map((r) => r.kind).sort()).toEqual(['bankcard2', 'bankcard3', 'idcard2', 'idcard2']);
    expect(seen.foundBy).toEqual({ bankCards: 1, phones: 0 });
    const given = await subjectReport(deps, { idNumber: alice!.idNumber, bankCards: [other] });
    expect(given.records).toHaveLength(5);
    expect(given.foundBy).toEqual({ bankCards: 2, phones: 0 });

    // Someone looked one of her records up by its check id.
    const one = (await subjectReport(deps, { idNumber: alice!.idNumber })).records[0]!;
    await recordAccess(store.auditTrail!, 'audit search', { checkId: one.checkId }, { user: 'ops', host: 'h', pid: 2 });
    // Someone looked her card up: after the erasure, her report still says so (her blanked records no longer name the card).
    await recordAccess(store.auditTrail!, 'audit search', { hash: { factor: 'bankCard', value: deps.hasher.hash('bankCard', alice!.bankCard) } }, { user: 'ops', host: 'h', pid: 1 });
    const result = await subjectErase(deps, { idNumber: alice!.idNumber, bankCards: [other] }, currentOperator());
    expect(result.auditRecords).toBe(5);
    const erased = await subjectReport(deps, { idNumber: alice!.idNumber });
    expect(erased.records).toEqual([]);
    expect(erased.lookups).toEqual([expect.objectContaining({ command: 'audit search', by: { user: 'ops', host: 'h', pid: 2 } }), expect.objectContaining({ command: 'audit search', by: { user: 'ops', host: 'h', pid: 1 } })]);
    expect((await subjectReport(deps, { idNumber: alice!.idNumber, bankCards: [other] })).records).toEqual([]);
    // The cache forgot her name + card answers — the card from her own check (linked) and the one given — and kept Bob's.
    const asked = upstream.calls;
    expect((await cache.check('bankcard2', { name: alice!.name, bankCard: alice!.bankCard }, 'a', '1')).source).toBe('vendor');
    expect((await cache.check('bankcard2', { name: alice!.name, bankCard: other }, 'b', '1')).source).toBe('vendor');
    expect(upstream.calls).toBe(asked + 2);
    expect((await cache.check('bankcard2', { name: bob!.name, bankCard: bob!.bankCard }, 'c', '1')).source).toBe('cache');
    const bobs = await subjectReport(deps, { idNumber: bob!.idNumber });
    expect(bobs.foundBy.bankCards).toBe(0);
    expect(bobs.records.map((r) => [r.kind, r.verdict, r.anonymised])).toEqual([['idcard2', 'match', false], ['bankcard3', 'mismatch', false]]);
    // His own name + card check carries no ID number: found once his card is given.
    expect((await subjectReport(deps, { idNumber: bob!.idNumber, bankCards: [bob!.bankCard] })).records.map((r) => r.kind)).toEqual(['idcard2', 'bankcard2', 'bankcard3']);
    expect((await verifyAudit(store.auditTrail!, chainKey(keys.pepper))).breaks).toEqual([]);
  });

  it('reaches checks whose ID number was never validated — malformed, mistyped, or refused first — by the card or phone they carry', async () => {
    const { deps, store } = await house(true);
    const auditor = createAuditor(store.audit, Date.now, deps.hasher);
    const record = (kind: 'phone3' | 'bankcard3', factors: Record<string, string>, verdict: string | undefined = 'invalid') =>
      auditor.record({
        checkId: randomBytes(16).toString('hex'), appid: '1', dialect: 'tencentcloud', kind, factors, code: 'InvalidIdCard', startedAt: Date.now(),
        ...(verdict ? { outcome: { verdict, source: 'validation', billed: false } as never } : { refusal: 'signature_invalid' }),
      });
    record('phone3', { idNumber: 'abc', name: alice!.name, phone: alice!.phone });
    record('bankcard3', { idNumber: '1234', name: alice!.name, bankCard: alice!.bankCard });
    // Her ID number mistyped in one digit: masked as an ID number would be, but it never validated.
    const typo = alice!.idNumber.slice(0, 10) + (alice!.idNumber[10] === '1' ? '2' : '1') + alice!.idNumber.slice(11);
    record('bankcard3', { idNumber: typo, name: alice!.name, bankCard: alice!.bankCard });
    // A refusal: nothing in it was validated.
    record('phone3', { idNumber: typo, name: alice!.name, phone: alice!.phone }, undefined);
    // Bob's check, which passed validation, with Alice's phone stays Bob's.
    record('phone3', { idNumber: bob!.idNumber, name: bob!.name, phone: alice!.phone }, 'mismatch');
    await store.audit.flush();
    const person = { idNumber: alice!.idNumber, bankCards: [alice!.bankCard], phones: [alice!.phone] };
    const report = await subjectReport(deps, person);
    expect(report.records.map((r) => r.kind).sort()).toEqual(['bankcard3', 'bankcard3', 'idcard2', 'idcard2', 'phone3', 'phone3']);
    expect((await subjectErase(deps, person, currentOperator())).auditRecords).toBe(6);
    const left = [];
    for await (const r of store.auditTrail!.search({ hash: { factor: 'phone', value: deps.hasher.hash('phone', alice!.phone) } })) left.push(r);
    expect(left.map((r) => r.masked.idNumber)).toEqual([expect.stringMatching(/^\d{4}\*+/)]);
  });

  it('refuses a card on stdin that the registry holds for someone else: nothing reported or erased', async () => {
    const { deps, store, keys } = await house(true);
    const csv = `name,idNumber,bankCard\n${bob!.name},${bob!.idNumber},${bob!.bankCard}\n${alice!.name},${alice!.idNumber},${alice!.bankCard}\n`;
    await importRegistry({ input: Readable.from([csv]), format: 'csv', store: store.registry, hasher: registryHasher(keys), now: new Date() });
    const wrong = { idNumber: alice!.idNumber, bankCards: [alice!.bankCard, bob!.bankCard] };
    await expect(subjectReport(deps, wrong)).rejects.toThrow(/bank card 2 on stdin is on file in the registry for someone else/);
    await expect(subjectErase(deps, wrong, currentOperator())).rejects.toBeInstanceOf(SubjectError);
    expect((await subjectReport(deps, { idNumber: alice!.idNumber, bankCards: [alice!.bankCard] })).records).toHaveLength(2);
  });

  it('purges an in-memory cache whole, so every node forgets the person', async () => {
    const { deps, cache } = await house(false);
    const result = await subjectErase(deps, { idNumber: alice!.idNumber }, currentOperator());
    expect(result.cachedAnswers).toBe('all');
    expect((await cache.check('idcard2', bob!, 'z', '1')).source).toBe('vendor');
  });
});
