import { describe, expect, it, vi } from 'vitest';

// Every comparison of a secret-derived value goes through node:crypto's timingSafeEqual: counted here.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const { createHash, timingSafeEqual } = await import('node:crypto');
const { parseAuthorization, signOriginal, verifySignature } = await import('../../src/protocols/tencent-image/signature.ts');
const { signatureMatches, signingStrings } = await import('../../src/protocols/submail/signature.ts');
const compared = vi.mocked(timingSafeEqual);

/**
 * SECURITY.md, "constant-time compares": how long a refusal takes says nothing about how close a forgery
 * came. Not a timing measurement (speed belongs to the bench): the comparisons are counted instead.
 */
describe('signatures are compared in constant time', () => {
  it('Tencent: the HMAC is compared whole with timingSafeEqual, right or wrong', () => {
    const original = 'a=1250000001&k=AKIDx&e=0&t=1700000000&r=1&u=0&f=';
    const good = parseAuthorization(signOriginal(original, 'key'));
    const bad = parseAuthorization(signOriginal(original, 'not the key'));
    if (!good.ok || !bad.ok) throw new Error('unparsable');
    compared.mockClear();
    expect(verifySignature(good.signature, 'key')).toBe(true);
    expect(verifySignature(bad.signature, 'key')).toBe(false);
    expect(compared).toHaveBeenCalledTimes(2);
    for (const [a, b] of compared.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([20, 20]);
  });

  it('SUBMAIL: every candidate signing string is compared, whether an earlier one matched or not', () => {
    const signed = { idNo: '11010519491231002X', name: '张 三', timestamp: '1700000000' };
    const candidates = signingStrings('appkey', signed);
    expect(candidates.length).toBeGreaterThan(1);
    const first = createHash('sha256').update(candidates[0]!, 'utf8').digest('hex');
    for (const signature of [first, 'f'.repeat(64)]) {
      compared.mockClear();
      signatureMatches(signature, candidates);
      expect(compared).toHaveBeenCalledTimes(candidates.length);
    }
  });
});
