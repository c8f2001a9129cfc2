import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseAuthorization,
  signAuthorization,
  signOriginal,
  verifySignature,
} from '../../../src/protocols/tencent-image/signature.ts';

// The vendor's published test vector.
const SECRET_KEY = 'nwOKDouy5JctNOlnere4gkVoOUz5EYAb';
const ORIGINAL = 'a=1252821871&b=tencentyun&k=AKIDgaoOYh2kOmJfWVdH4lpfxScG2zPLPGoK&e=1438669115&t=1436077115&r=11162&u=0&f=';
const VECTOR_PREFIX = 'p2Y5iIYyBmQNfUvPe3e1sxEN/rZhPTEy';

/** Base64 of an arbitrary digest and plaintext: builds shapes a well-behaved signer never would. */
function forge(original: string | Buffer, digest: Buffer = Buffer.alloc(20, 7)): string {
  return Buffer.concat([digest, Buffer.isBuffer(original) ? original : Buffer.from(original)]).toString('base64');
}

function parsed(header: string) {
  const result = parseAuthorization(header);
  if (!result.ok) throw new Error(`expected a parse, got ${result.refusal}`);
  return result.signature;
}

describe('the vendor test vector', () => {
  it('signs to the published signature', () => {
    expect(signOriginal(ORIGINAL, SECRET_KEY).startsWith(VECTOR_PREFIX)).toBe(true);
    const built = signAuthorization({
      appid: '1252821871',
      bucket: 'tencentyun',
      secretId: 'AKIDgaoOYh2kOmJfWVdH4lpfxScG2zPLPGoK',
      secretKey: SECRET_KEY,
      expiry: 1438669115,
      now: 1436077115,
      rand: 11162,
    });
    expect(built).toBe(signOriginal(ORIGINAL, SECRET_KEY));
  });

  it('parses back to its fields and verifies with the right key only', () => {
    const sig = parsed(signOriginal(ORIGINAL, SECRET_KEY));
    expect(sig.fields).toEqual({
      appid: '1252821871',
      bucket: 'tencentyun',
      secretId: 'AKIDgaoOYh2kOmJfWVdH4lpfxScG2zPLPGoK',
      expiry: 1438669115,
      issuedAt: 1436077115,
      rand: '11162',
    });
    expect(sig.original.toString()).toBe(ORIGINAL);
    expect(verifySignature(sig, SECRET_KEY)).toBe(true);
    expect(verifySignature(sig, SECRET_KEY.replace('n', 'm'))).toBe(false);
  });

  it('rejects a signature whose plaintext was altered after signing', () => {
    const good = Buffer.from(signOriginal(ORIGINAL, SECRET_KEY), 'base64');
    const tampered = Buffer.from(good);
    tampered.write('9', 20 + ORIGINAL.indexOf('e=') + 2); // e=1438669115 → e=9438669115
    const sig = parsed(tampered.toString('base64'));
    expect(sig.fields.expiry).toBe(9438669115);
    expect(verifySignature(sig, SECRET_KEY)).toBe(false);
  });
});

describe('parsing', () => {
  it('accepts the fields in any order, with b absent (as the Node SDK signs)', () => {
    const original = 'k=AKIDx&t=1700000000&u=0&a=1250000001&f=&r=42&e=1700000100';
    const sig = parsed(signOriginal(original, 'key'));
    expect(sig.fields).toEqual({ appid: '1250000001', secretId: 'AKIDx', expiry: 1700000100, issuedAt: 1700000000, rand: '42' });
    expect(verifySignature(sig, 'key')).toBe(true);
  });

  it('verifies over the exact bytes sent, whatever their order', () => {
    // Same fields, another order: a different Original, so a different HMAC — no re-serialisation.
    const a = parsed(signOriginal('a=1&k=K&e=0&t=5', 'key'));
    const b = parsed(forge('k=K&a=1&e=0&t=5', a.digest));
    expect(verifySignature(b, 'key')).toBe(false);
  });

  it('treats an empty b as no bucket and tolerates keys it does not know', () => {
    expect(parsed(forge('a=1&b=&k=K&e=0&t=5')).fields.bucket).toBeUndefined();
    expect(parsed(forge('a=1&k=K&e=0&t=5&s=extra')).fields.appid).toBe('1');
  });

  it('accepts unpadded base64', () => {
    const header = signOriginal(ORIGINAL, SECRET_KEY).replace(/=+$/, '');
    expect(parsed(header).fields.appid).toBe('1252821871');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('an %s header is a missing signature', (_label, header) => {
    expect(parseAuthorization(header)).toEqual({ ok: false, refusal: 'signature_missing' });
  });

  it.each([
    ['not base64', '!!!not-base64!!!'],
    ['base64 with junk inside', signOriginal(ORIGINAL, SECRET_KEY).slice(0, 30) + '*' + signOriginal(ORIGINAL, SECRET_KEY).slice(30)],
    ['a truncated base64 quantum', 'QUJDRA' + 'x'],
    ['padding in the wrong place', 'QU=JD'],
    ['only a digest', Buffer.alloc(20, 1).toString('base64')],
    ['shorter than a digest', Buffer.alloc(12, 1).toString('base64')],
    ['a missing', forge('k=K&e=0&t=5')],
    ['k missing', forge('a=1&e=0&t=5')],
    ['e missing', forge('a=1&k=K&t=5')],
    ['t missing', forge('a=1&k=K&e=0')],
    ['a empty', forge('a=&k=K&e=0&t=5')],
    ['e not a number', forge('a=1&k=K&e=soon&t=5')],
    ['t negative', forge('a=1&k=K&e=0&t=-5')],
    ['t fractional', forge('a=1&k=K&e=0&t=5.5')],
    ['e absurdly long', forge('a=1&k=K&e=99999999999999999999&t=5')],
    ['a field twice', forge('a=1&k=K&e=0&t=5&a=2')],
    ['a pair without =', forge('a=1&k=K&e=0&t=5&u')],
    ['an empty segment', forge('a=1&&k=K&e=0&t=5')],
    ['a key-less pair', forge('a=1&=x&k=K&e=0&t=5')],
    ['plaintext that is not UTF-8', forge(Buffer.concat([Buffer.from('a=1&k=K&e=0&t=5&f='), Buffer.from([0xff, 0xfe])]))],
  ])('%s is malformed', (_label, header) => {
    expect(parseAuthorization(header)).toEqual({ ok: false, refusal: 'signature_malformed' });
  });

  it('keeps the digest and the plaintext apart', () => {
    const digest = createHmac('sha1', 'key').update('a=1&k=K&e=0&t=5').digest();
    const sig = parsed(forge('a=1&k=K&e=0&t=5', digest));
    expect(sig.digest.equals(digest)).toBe(true);
    expect(verifySignature(sig, 'key')).toBe(true);
  });
});
