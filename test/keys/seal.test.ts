import { describe, expect, it } from 'vitest';
import { open, seal } from '../../src/keys/seal.ts';

const key = Buffer.alloc(32, 1);

describe('seal / open', () => {
  it('round-trips text, with a fresh IV each time', () => {
    const a = seal(key, 'nwOKDouy5JctNOlnere4gkVoOUz5EYAb');
    const b = seal(key, 'nwOKDouy5JctNOlnere4gkVoOUz5EYAb');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('nwOKDouy5');
    expect(open(key, a)).toBe('nwOKDouy5JctNOlnere4gkVoOUz5EYAb');
    expect(open(key, seal(key, ''))).toBe('');
    expect(open(key, seal(key, '密钥·ü'))).toBe('密钥·ü');
  });

  it('refuses a value sealed under another key', () => {
    expect(() => open(Buffer.alloc(32, 2), seal(key, 'secret'))).toThrow(/another master key/);
  });

  it('refuses any altered byte, a truncated value, or an unknown format', () => {
    const sealed = seal(key, 'secret');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      expect(() => open(key, 'v1.' + bad.toString('base64url'))).toThrow(/altered/);
    }
    expect(() => open(key, 'v1.' + raw.subarray(0, 20).toString('base64url'))).toThrow(/truncated/);
    expect(() => open(key, 'v2.' + raw.toString('base64url'))).toThrow(/unknown format/);
  });

  it('rejects a key of the wrong size', () => {
    expect(() => seal(Buffer.alloc(16), 'x')).toThrow(/32 bytes/);
  });
});
