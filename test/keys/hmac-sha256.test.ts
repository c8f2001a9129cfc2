import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareHmacSha256 } from '../../src/keys/hmac-sha256.ts';

const nodeHmac = (key: Uint8Array, message: string | Uint8Array): Buffer => createHmac('sha256', key).update(message).digest();
/** node:crypto fed the two parts as two updates: each is encoded on its own, as the registry always did. */
const nodeHmac2 = (key: Uint8Array, prefix: string, text: string): Buffer => createHmac('sha256', key).update(prefix).update(text).digest();

/** Characters of every UTF-8 width, plus lone surrogates (which UTF-8 writes as U+FFFD, 3 bytes). */
const piece = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0x7ff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x800, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A string whose UTF-8 is exactly `bytes` long, mixing every width (topped up with ASCII). */
const textOfUtf8Length = (bytes: number): fc.Arbitrary<string> =>
  fc.array(piece, { maxLength: bytes }).map((pieces) => {
    let text = '';
    for (const p of pieces) {
      // A lone high surrogate followed by a low one would pair up: keep each piece's width as generated.
      if (utf8Length(text + p) !== utf8Length(text) + utf8Length(p) || utf8Length(text + p) > bytes) continue;
      text += p;
    }
    return text + 'a'.repeat(bytes - utf8Length(text));
  });

const key = fc.uint8Array({ minLength: 0, maxLength: 200 });

describe('prepareHmacSha256', () => {
  // RFC 4231 section 4: HMAC-SHA-256 test cases 1-7.
  const rfc4231: { key: Buffer; data: Buffer; mac: string }[] = [
    { key: Buffer.alloc(20, 0x0b), data: Buffer.from('Hi There'), mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
    { key: Buffer.from('Jefe'), data: Buffer.from('what do ya want for nothing?'), mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
    { key: Buffer.alloc(20, 0xaa), data: Buffer.alloc(50, 0xdd), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
    {
      key: Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1)),
      data: Buffer.alloc(50, 0xcd),
      mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    },
    // Test case 5 specifies only the first 128 bits.
    { key: Buffer.alloc(20, 0x0c), data: Buffer.from('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
    {
      key: Buffer.alloc(131, 0xaa),
      data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
    {
      key: Buffer.alloc(131, 0xaa),
      data: Buffer.from(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    },
  ];

  it.each(rfc4231.map((v, i) => ({ ...v, case: i + 1 })))('matches RFC 4231 test case $case', ({ key, data, mac }) => {
    const h = prepareHmacSha256(key);
    expect(h.digestBytes(data).toString('hex').slice(0, mac.length)).toBe(mac);
    // The text entry points see the same bytes when the data is text.
    if (data.equals(Buffer.from(data.toString('utf8')))) {
      expect(h.digest('', data.toString('utf8')).toString('hex').slice(0, mac.length)).toBe(mac);
    }
  });

  it('equals node:crypto for random keys and UTF-8 messages of every length 0..300 bytes', () => {
    for (let bytes = 0; bytes <= 300; bytes++) {
      fc.assert(
        fc.property(key, textOfUtf8Length(bytes), fc.nat(), (k, text, cut) => {
          const h = prepareHmacSha256(k);
          const at = text.length === 0 ? 0 : cut % (text.length + 1);
          const expected = nodeHmac(k, Buffer.from(text, 'utf8'));
          // Any split into prefix and text; a surrogate pair cut in two is two lone surrogates, as in update() twice.
          expect(h.digest(text.slice(0, at), text.slice(at))).toEqual(nodeHmac2(k, text.slice(0, at), text.slice(at)));
          expect(h.digest('', text)).toEqual(expected);
          expect(h.digestBytes(Buffer.from(text, 'utf8'))).toEqual(expected);
        }),
        { numRuns: 15 },
      );
    }
  });

  it('equals node:crypto around the 55/56/64-byte block boundaries, for both halves of the message', () => {
    const nearBoundary = fc.constantFrom(0, 1, 54, 55, 56, 57, 63, 64, 65, 118, 119, 120, 127, 128, 129);
    fc.assert(
      fc.property(key, nearBoundary.chain(textOfUtf8Length), nearBoundary.chain(textOfUtf8Length), (k, prefix, text) => {
        expect(prepareHmacSha256(k).digest(prefix, text)).toEqual(nodeHmac2(k, prefix, text));
      }),
      { numRuns: 500 },
    );
  });

  it('equals node:crypto for arbitrary strings, lone surrogates included', () => {
    fc.assert(
      fc.property(key, fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 8 }), (k, text, prefix) => {
        expect(prepareHmacSha256(k).digest(prefix, text)).toEqual(nodeHmac2(k, prefix, text));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes long messages (many blocks), and every prepared key keeps its own pads', () => {
    const a = prepareHmacSha256(Buffer.alloc(32, 1));
    const b = prepareHmacSha256(Buffer.alloc(32, 2));
    const long = '身份证'.repeat(20_000);
    expect(a.digest('name:', long)).toEqual(nodeHmac(Buffer.alloc(32, 1), 'name:' + long));
    expect(b.digest('id:', 'x')).toEqual(nodeHmac(Buffer.alloc(32, 2), 'id:x'));
    expect(a.digest('id:', 'x')).toEqual(nodeHmac(Buffer.alloc(32, 1), 'id:x'));
  });

  it('writes 32 bytes at the offset given and leaves the rest of the buffer alone', () => {
    const k = Buffer.alloc(32, 7);
    const out = Buffer.alloc(100, 0xee);
    prepareHmacSha256(k).digestInto('card:', '6222021234567890123', out, 40);
    expect(out.subarray(40, 72)).toEqual(nodeHmac(k, 'card:6222021234567890123'));
    expect(out.subarray(0, 40)).toEqual(Buffer.alloc(40, 0xee));
    expect(out.subarray(72)).toEqual(Buffer.alloc(28, 0xee));
  });

  it('returns a fresh Buffer each time: a later hash never overwrites an earlier one', () => {
    const h = prepareHmacSha256(Buffer.alloc(32, 3));
    const first = h.digest('id:', '1');
    const copy = Buffer.from(first);
    h.digest('id:', '2');
    expect(first).toEqual(copy);
  });
});
