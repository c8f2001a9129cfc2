import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckKind, Factors } from '../../src/core/factors.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { validateFactors } from '../../src/core/validate.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';
import { hashRow } from '../../src/registry/import.ts';
import { registrySource } from '../../src/sources/registry.ts';
import { SourceFailure } from '../../src/sources/types.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';

const NOW = new Date('2025-06-01T04:00:00Z');
const hasher = createRegistryHasher(randomBytes(32));
const [a, b, c, d, stranger] = [...generateIdentities(5, 'registry-source')];
const other = [...generateIdentities(3, 'registry-source-other')];

/**
 * On file: a with two cards, the first given with a phone, and a second phone given without a card;
 * b with a card and no phone at all; c with no card and no phone; d holds a's second card too.
 */
const RECORDS: Factors[] = [
  { name: a!.name, idNumber: a!.idNumber, bankCard: a!.bankCard, phone: a!.phone },
  { name: a!.name, idNumber: a!.idNumber, bankCard: other[0]!.bankCard },
  { name: a!.name, idNumber: a!.idNumber, phone: other[1]!.phone },
  { name: b!.name, idNumber: b!.idNumber, bankCard: b!.bankCard },
  { name: c!.name, idNumber: c!.idNumber },
  { name: d!.name, idNumber: d!.idNumber, bankCard: other[0]!.bankCard },
];

describe('the registry source answers every kind from keyed hashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realname-source-'));
  const store = openSqliteStore({ file: join(dir, 'realname.db') });
  const source = registrySource(store.registry, hasher);
  beforeAll(async () => {
    const rows = RECORDS.map((r) => hashRow(r, hasher, NOW));
    for (const r of rows) if ('field' in r) throw new Error(`fixture rejected: ${r.field} ${r.reason}`);
    expect(await store.registry.importBatch(rows as Exclude<(typeof rows)[number], { field: string }>[])).toMatchObject({ inserted: RECORDS.length });
    return async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    };
  });

  const call = () => ({ checkId: 'chk-registry-source', signal: new AbortController().signal });
  /** As the check path does: validate, then ask the source with the canonical factors. */
  async function check(kind: CheckKind, raw: Factors) {
    const v = validateFactors(kind, raw, NOW);
    if (!v.ok) throw new Error(`invalid ${v.invalid.field}`);
    return source.check(kind, v.factors, call());
  }

  it('idcard2: match, a name not the ID number\'s, an ID number not on file', async () => {
    expect(await check('idcard2', { idNumber: a!.idNumber, name: a!.name })).toEqual({ verdict: 'match' });
    expect(await check('idcard2', { idNumber: a!.idNumber, name: b!.name })).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(await check('idcard2', { idNumber: stranger!.idNumber, name: stranger!.name })).toEqual({ verdict: 'not_found' });
  });

  it('bankcard2: the card\'s holders by name, without an ID number', async () => {
    expect(await check('bankcard2', { name: a!.name, bankCard: a!.bankCard })).toEqual({ verdict: 'match' });
    // Written as a client may send it: the core's canonical forms are what was hashed.
    expect(await check('bankcard2', { name: ` ${b!.name} `, bankCard: `${b!.bankCard.slice(0, 4)} ${b!.bankCard.slice(4)}` })).toEqual({ verdict: 'match' });
    // A card two people hold matches either name, and no one else's.
    expect(await check('bankcard2', { name: d!.name, bankCard: other[0]!.bankCard })).toEqual({ verdict: 'match' });
    expect(await check('bankcard2', { name: a!.name, bankCard: other[0]!.bankCard })).toEqual({ verdict: 'match' });
    expect(await check('bankcard2', { name: b!.name, bankCard: a!.bankCard })).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(await check('bankcard2', { name: a!.name, bankCard: stranger!.bankCard })).toEqual({ verdict: 'not_found' });
  });

  it('bankcard3: a card not theirs, no card on file, and a wrong name named even when the card is wrong too', async () => {
    expect(await check('bankcard3', { idNumber: a!.idNumber, name: a!.name, bankCard: other[0]!.bankCard })).toEqual({ verdict: 'match' });
    expect(await check('bankcard3', { idNumber: a!.idNumber, name: a!.name, bankCard: b!.bankCard })).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'] });
    expect(await check('bankcard3', { idNumber: c!.idNumber, name: c!.name, bankCard: c!.bankCard })).toEqual({ verdict: 'not_found' });
    expect(await check('bankcard3', { idNumber: c!.idNumber, name: a!.name, bankCard: c!.bankCard })).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(await check('bankcard3', { idNumber: a!.idNumber, name: b!.name, bankCard: b!.bankCard })).toEqual({ verdict: 'mismatch', mismatched: ['name', 'bankCard'] });
  });

  it('bankcard4: the phone given with the asked card', async () => {
    const four = (over: Partial<Factors>) => check('bankcard4', { idNumber: a!.idNumber, name: a!.name, bankCard: a!.bankCard, phone: a!.phone, ...over });
    expect(await four({})).toEqual({ verdict: 'match' });
    // a's other phone is on file, but not with this card.
    expect(await four({ phone: other[1]!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['phone'] });
    expect(await four({ name: b!.name, phone: stranger!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['name', 'phone'] });
    // A card not theirs: its phone is not compared.
    expect(await four({ bankCard: b!.bankCard, phone: stranger!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['bankCard'] });
    // a's second card was given without a phone; b has a card and no phone; c has no card.
    expect(await four({ bankCard: other[0]!.bankCard })).toEqual({ verdict: 'not_found' });
    expect(await check('bankcard4', { idNumber: b!.idNumber, name: b!.name, bankCard: b!.bankCard, phone: b!.phone })).toEqual({ verdict: 'not_found' });
    expect(await check('bankcard4', { idNumber: c!.idNumber, name: c!.name, bankCard: c!.bankCard, phone: c!.phone })).toEqual({ verdict: 'not_found' });
    expect(await four({ idNumber: stranger!.idNumber })).toEqual({ verdict: 'not_found' });
  });

  it('phone3: any phone of the person, with or without a card', async () => {
    const three = (over: Partial<Factors>) => check('phone3', { idNumber: a!.idNumber, name: a!.name, phone: a!.phone, ...over });
    expect(await three({})).toEqual({ verdict: 'match' });
    expect(await three({ phone: `+86 ${other[1]!.phone}` })).toEqual({ verdict: 'match' });
    expect(await three({ phone: stranger!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['phone'] });
    expect(await three({ name: b!.name })).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(await three({ name: b!.name, phone: stranger!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['name', 'phone'] });
    // No phone on file: nothing to compare with — unless the name already is not theirs.
    expect(await check('phone3', { idNumber: b!.idNumber, name: b!.name, phone: b!.phone })).toEqual({ verdict: 'not_found' });
    expect(await check('phone3', { idNumber: b!.idNumber, name: a!.name, phone: b!.phone })).toEqual({ verdict: 'mismatch', mismatched: ['name'] });
    expect(await three({ idNumber: stranger!.idNumber })).toEqual({ verdict: 'not_found' });
  });

  it('supports every kind, and fails as a source (never a verdict) when a factor the kind needs is missing', async () => {
    for (const kind of ['idcard2', 'bankcard2', 'bankcard3', 'bankcard4', 'phone3'] as const) expect(source.supports(kind)).toBe(true);
    await expect(source.check('phone3', { idNumber: a!.idNumber, name: a!.name }, call())).rejects.toThrow(SourceFailure);
    await expect(source.check('bankcard2', { name: a!.name }, call())).rejects.toThrow(/bankcard2 needs bankCard/);
  });
});
