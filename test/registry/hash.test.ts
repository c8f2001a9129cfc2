import { createHmac } from 'node:crypto';
import fc from 'fast-check';
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

  it('gives the hashes the registry has always stored (node:crypto createHmac, update(domain).update(value))', () => {
    const key = deriveKey(master, 'registry-hmac');
    const factors = [
      ['idNumber', 'id:'],
      ['name', 'name:'],
      ['bankCard', 'card:'],
      ['phone', 'phone:'],
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...factors), fc.string({ unit: 'binary', maxLength: 80 }), ([factor, domain], value) => {
        const expected = createHmac('sha256', key).update(domain).update(value, 'utf8').digest();
        expect(h[factor](value)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    // Fixed answers, computed with the createHmac implementation this hasher replaced: registries
    // imported before the change must still match.
    expect(h.idNumber(idNumber).toString('hex')).toBe('2b8634bd3bb129578a76654416aaeb0b80ac19abc61de966349f892b52aff0c4');
    expect(h.name('张三').toString('hex')).toBe('c4532b1a3f8bb78f6d6350ffd7ee09eb386913cdf96136a9e32bb160d7e1b6ae');
    expect(h.bankCard('6222021234567890123').toString('hex')).toBe('528eb6665e8ded5964161d93ec7629190df747ff8ce279c4a86d6361adcaef81');
    expect(h.phone('+8613800138000').toString('hex')).toBe('5850d5bf266b7d7915e6bd2f8e6ec8865f63a0c0c593418492f995704c3dd038');
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
