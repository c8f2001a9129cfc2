import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, keyIdOf } from '../../src/keys/derive.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';

const master = Buffer.alloc(32, 9);
const idNumber = '11010519491231002X'; // synthetic

describe('createRegistryHasher', () => {
  const h = createRegistryHasher(master);

  it('is HMAC-SHA256 under the derived registry key with a per-factor domain prefix', () => {
    const expected = createHmac('sha256', deriveKey(master, 'registry-hmac')).update('id:' + idNumber).digest();
    expect(h.idNumber(idNumber)).toEqual(expected);
    expect(h.idNumber(idNumber)).toHaveLength(32);
    expect(h.keyId).toBe(keyIdOf(master));
  });

  it('is deterministic, and never equal across factors for the same text', () => {
    expect(h.name('张三')).toEqual(createRegistryHasher(Buffer.from(master)).name('张三'));
    const v = '13800138000';
    const all = [h.idNumber(v), h.name(v), h.bankCard(v), h.phone(v)].map((b) => b.toString('hex'));
    expect(new Set(all).size).toBe(4);
  });

  it('changes with the master key, so a registry is useless without its key', () => {
    const other = createRegistryHasher(Buffer.alloc(32, 10));
    expect(other.name('张三').equals(h.name('张三'))).toBe(false);
    expect(other.keyId).not.toBe(h.keyId);
  });

  it('hashes the UTF-8 bytes, distinguishing different name spellings', () => {
    expect(h.name('阿依古丽·买买提').equals(h.name('阿依古丽•买买提'))).toBe(false);
  });
});
