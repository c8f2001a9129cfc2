import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Tenants } from '../../src/access/tenants.ts';
import { deriveKey, keyIdOf } from '../../src/keys/derive.ts';
import { establishKeys } from '../../src/keys/establish.ts';
import { KeyError, KeyRing, keyRecord, StoreKeys } from '../../src/keys/ring.ts';
import { seal } from '../../src/keys/seal.ts';
import { createHashWrap } from '../../src/keys/wrap.ts';
import { createRegistryHasher, registryHasher } from '../../src/registry/hash.ts';
import { keyedRegistry } from '../../src/registry/keyed.ts';
import { rekeyRegistry } from '../../src/registry/rekey.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import type { RegistryRow, Store } from '../../src/store/types.ts';

const k0 = Buffer.alloc(32, 1);
const k1 = Buffer.alloc(32, 2);
const NOW = 1_700_000_000_000;

function row(hasher: ReturnType<typeof createRegistryHasher>, id: string, name: string, card: string | null): RegistryRow {
  return {
    idHash: hasher.idNumber(id),
    nameHash: hasher.name(name),
    cardHash: card === null ? null : hasher.bankCard(card),
    phoneHash: null,
    keyId: hasher.keyId,
    normVersion: 1,
  };
}

/** A store rotated from k0 to k1, as `realname keys rotate` leaves it. */
async function rotated(store: Store): Promise<StoreKeys> {
  await establishKeys(store, KeyRing.of(k0), { now: NOW });
  const before = await establishKeys(store, KeyRing.of(k0, k1), { now: NOW });
  const next = keyRecord(before.ring, keyIdOf(k1), { wraps: true, pepper: before.pepper, now: NOW + 1 });
  expect(await store.keys.rotate(next, keyIdOf(k0))).toBe(true);
  return new StoreKeys(before.ring, await store.keys.list());
}

describe('the hash wrap', () => {
  it('is a permutation of 32-byte hashes: unwrap undoes wrap, another key gives another value', () => {
    const wrap = createHashWrap(Buffer.alloc(32, 9));
    const hash = randomBytes(32);
    expect(wrap.unwrap(wrap.wrap(hash))).toEqual(hash);
    expect(wrap.wrap(hash)).not.toEqual(hash);
    expect(createHashWrap(Buffer.alloc(32, 8)).wrap(hash)).not.toEqual(wrap.wrap(hash));
    expect(wrap.wrap(hash)).toEqual(wrap.wrap(Buffer.from(hash)));
    expect(() => wrap.wrap(Buffer.alloc(20))).toThrow(/32 bytes/);
  });
});

describe('establishing a store\'s keys', () => {
  it('claims a new store for the newest key held, and then knows it by id and proof', async () => {
    const store = openMemoryStore();
    const keys = await establishKeys(store, KeyRing.of(k0), { now: NOW });
    expect(keys.currentId).toBe(keyIdOf(k0));
    const [record] = await store.keys.list();
    expect(record).toMatchObject({ keyId: keyIdOf(k0), state: 'current', wraps: false });
    expect(JSON.stringify(record)).not.toContain(k0.toString('base64'));
    // the same key again: fine; another key: refused, naming both
    await expect(establishKeys(store, KeyRing.of(k0), { now: NOW })).resolves.toBeInstanceOf(StoreKeys);
    await expect(establishKeys(store, KeyRing.of(k1), { now: NOW })).rejects.toThrow(
      new KeyError(
        `this store belongs to master key ${keyIdOf(k0)}, but the given keys holds key ${keyIdOf(k1)}: every node of a store needs its key; ` +
          'copy the key file from a node that runs against this store, or set REALNAME_MASTER_KEY to its keys (comma-separated), or point --data/--store at the store this key belongs to',
      ),
    );
  });

  it('claims a store made before keys were recorded for the key its data was made with, and refuses a key that cannot read it', async () => {
    const legacy = openMemoryStore();
    await legacy.registry.importBatch([row(createRegistryHasher(k0), '11010519491231002X', '张三', null)]);
    const tenants = new Tenants(legacy.apps, deriveKey(k0, 'secret-seal'));
    const app = await tenants.create({ name: 'old' });
    // a ring of two: the one that made the data is claimed, not the newest
    expect((await establishKeys(legacy, KeyRing.of(k0, k1), { now: NOW })).currentId).toBe(keyIdOf(k0));

    const foreign = openMemoryStore();
    await foreign.registry.importBatch([row(createRegistryHasher(k0), '11010519491231002X', '张三', null)]);
    await expect(establishKeys(foreign, KeyRing.of(k1), { now: NOW })).rejects.toThrow(/registry was made with master key/);
    expect(await foreign.keys.list()).toEqual([]);

    const sealed = openMemoryStore();
    await new Tenants(sealed.apps, deriveKey(k0, 'secret-seal')).create({ name: 'old' });
    await expect(establishKeys(sealed, KeyRing.of(k1), { now: NOW })).rejects.toThrow(/sealed secrets do not open/);

    // the v1 values of the claimed store still open through the ring
    const keys = await establishKeys(legacy, KeyRing.of(k0), { now: NOW });
    const secret = await legacy.apps.getSecret(app.secretId);
    expect(keys.sealer.open(secret!.secretKeySealed)).toBe(app.secretKey);
    expect(keys.sealer.keyIdOf(seal(deriveKey(k0, 'secret-seal'), 'x'))).toBe(keyIdOf(k0));
  });

  it('refuses a ring that lacks a rotated-out key still in use, unless only the current key is needed', async () => {
    const store = openMemoryStore();
    await rotated(store);
    await expect(establishKeys(store, KeyRing.of(k1), { now: NOW })).rejects.toThrow(
      new RegExp(`still holds data under master key ${keyIdOf(k0)} .*realname keys retire ${keyIdOf(k0)}`),
    );
    await expect(establishKeys(store, KeyRing.of(k1), { now: NOW, currentOnly: true })).resolves.toBeInstanceOf(StoreKeys);
  });
});

describe('a rotation of the registry', () => {
  const id = '11010519491231002X';
  const card = '6222021234567890123';

  it('hashes under a later key exactly as a translation of the first key\'s hashes', async () => {
    const keys = await rotated(openMemoryStore());
    const plain = createRegistryHasher(k0);
    const later = registryHasher(keys);
    expect(later.keyId).toBe(keyIdOf(k1));
    expect(registryHasher(keys, keyIdOf(k0)).idNumber(id)).toEqual(plain.idNumber(id));
    expect(later.idNumber(id)).toEqual(keys.translate(plain.idNumber(id), keyIdOf(k0), keyIdOf(k1)));
    expect(keys.translate(later.name('张三'), keyIdOf(k1), keyIdOf(k0))).toEqual(plain.name('张三'));
    expect(later.idNumber(id)).not.toEqual(plain.idNumber(id));
  });

  it('matches rows under either key while both are live, and rewraps them all to the current key, resumably', async () => {
    const store = openMemoryStore();
    await store.registry.importBatch([row(createRegistryHasher(k0), id, '张三', card), row(createRegistryHasher(k0), '110105194912310037', '李四', null)]);
    const keys = await rotated(store);
    const hasher = registryHasher(keys);
    const registry = keyedRegistry(store.registry, keys, hasher.keyId);
    const ask = (name: string, withCard: string | null) => registry.match(hasher.idNumber(id), hasher.name(name), withCard === null ? null : hasher.bankCard(withCard));
    expect(await ask('张三', card)).toEqual({ found: true, nameMatches: true, cardsOnFile: true, cardMatches: true });
    expect(await ask('王五', null)).toMatchObject({ found: true, nameMatches: false });
    expect((await store.registry.match(hasher.idNumber(id), hasher.name('张三'), null)).found).toBe(false);

    // a rewrap stopped after one batch is finished by the next run
    await rekeyRegistry(store.registry, new StoreKeys(keys.ring, await store.keys.list()), { batchSize: 1, onProgress: () => {} });
    expect(await store.registry.countByKey()).toEqual(new Map([[keyIdOf(k1), 2]]));
    expect(await store.registry.match(hasher.idNumber(id), hasher.name('张三'), hasher.bankCard(card))).toEqual({ found: true, nameMatches: true, cardsOnFile: true, cardMatches: true });
    expect((await rekeyRegistry(store.registry, keys)).get(keyIdOf(k0))).toBe(0);
    expect(await registry.remove(hasher.idNumber(id))).toBe(1);
  });

  it('finds a card\'s holders and compares a phone under the old key too, while both are live', async () => {
    const store = openMemoryStore();
    const plain = createRegistryHasher(k0);
    await store.registry.importBatch([{ ...row(plain, id, '张三', card), phoneHash: plain.phone('13800138000') }]);
    const keys = await rotated(store);
    const hasher = registryHasher(keys);
    const registry = keyedRegistry(store.registry, keys, hasher.keyId);
    expect(await registry.matchCard(hasher.bankCard(card), hasher.name('张三'))).toEqual({ found: true, nameMatches: true });
    expect(await registry.matchCard(hasher.bankCard(card), hasher.name('李四'))).toEqual({ found: true, nameMatches: false });
    expect(await registry.match(hasher.idNumber(id), hasher.name('张三'), hasher.bankCard(card), hasher.phone('13800138000'))).toEqual({
      found: true,
      nameMatches: true,
      cardsOnFile: true,
      cardMatches: true,
      phonesOnFile: true,
      phoneMatches: true,
    });
    expect((await registry.match(hasher.idNumber(id), hasher.name('张三'), null, hasher.phone('13900139000'))).phoneMatches).toBe(false);
    // once rewrapped, the store itself answers under the new key
    await rekeyRegistry(store.registry, keys);
    expect(await store.registry.matchCard(hasher.bankCard(card), hasher.name('张三'))).toEqual({ found: true, nameMatches: true });
  });

  it('fails a lookup (never answers "no record") when a live key is not held', async () => {
    const store = openMemoryStore();
    await rotated(store);
    const onlyNew = new StoreKeys(KeyRing.of(k1), await store.keys.list());
    const hasher = registryHasher(onlyNew);
    const registry = keyedRegistry(store.registry, onlyNew, hasher.keyId);
    await expect(registry.match(hasher.idNumber(id), hasher.name('张三'), null)).rejects.toThrow(/cannot be read/);
    expect(onlyNew.problem()).toMatch(/still holds data under master key/);
  });
});
