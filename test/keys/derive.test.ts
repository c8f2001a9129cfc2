import { describe, expect, it } from 'vitest';
import { deriveKey, keyIdOf } from '../../src/keys/derive.ts';

const master = Buffer.alloc(32, 42);

describe('deriveKey / keyIdOf', () => {
  it('derives stable, distinct 32-byte keys per purpose, none equal to the master', () => {
    const reg = deriveKey(master, 'registry-hmac');
    const seal = deriveKey(master, 'secret-seal');
    expect(reg).toHaveLength(32);
    expect(seal).toHaveLength(32);
    expect(reg.equals(seal)).toBe(false);
    expect(reg.equals(master)).toBe(false);
    expect(deriveKey(Buffer.from(master), 'registry-hmac')).toEqual(reg);
    expect(deriveKey(Buffer.alloc(32, 43), 'registry-hmac').equals(reg)).toBe(false);
  });

  it('gives a short hex key id that changes with the master key and reveals no derived key', () => {
    const id = keyIdOf(master);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdOf(Buffer.from(master))).toBe(id);
    expect(keyIdOf(Buffer.alloc(32, 43))).not.toBe(id);
    expect(deriveKey(master, 'registry-hmac').toString('hex').startsWith(id)).toBe(false);
  });
});
