import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104) with the key's inner and outer pad states computed once. The registry hashes
 * four short strings per row and per check; node:crypto's createHmac spends most of its ~3 µs a call on
 * the objects it makes (Hmac, KeyObject handle, digest Buffer), not on the two SHA-256 compressions a
 * short message needs. SHA-256 itself follows FIPS 180-4 (section 4.2.2 constants, 5.3.3 initial
 * value, 6.2.2 compression). Output is byte-identical to createHmac('sha256', key).
 */

// FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
const INITIAL_STATE = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const BLOCK = 64;
const DIGEST = 32;

// Working memory shared by every prepared key: hashing is synchronous, so no two calls overlap.
const schedule = new Int32Array(64);
const state = new Int32Array(8);
/** Message bytes plus room for the padding; grows (rarely, and for good) when a message is longer. */
let scratch = new Uint8Array(512);

/** One SHA-256 compression of the 64 bytes at `at` into `h` (FIPS 180-4 6.2.2). */
function compress(h: Int32Array, bytes: Uint8Array, at: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t++, at += 4) {
    w[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/** Writes the eight state words big-endian at `at`. */
function writeState(h: Int32Array, out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++, at += 4) {
    const v = h[i]!;
    out[at] = v >>> 24;
    out[at + 1] = v >>> 16;
    out[at + 2] = v >>> 8;
    out[at + 3] = v;
  }
}

/**
 * UTF-8 of `text` at `at`, as Buffer.from(text, 'utf8') encodes it (a lone surrogate becomes U+FFFD);
 * returns the offset after it. The caller guarantees room for 3 bytes per UTF-16 code unit.
 */
function writeUtf8(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[at++] = 0xf0 | (c >> 18);
          out[at++] = 0x80 | ((c >> 12) & 0x3f);
          out[at++] = 0x80 | ((c >> 6) & 0x3f);
          out[at++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

/** Appends SHA-256 padding for a message of `length` bytes at `end` (its end in `bytes`); returns the padded end. */
function pad(bytes: Uint8Array, end: number, length: number): number {
  const padded = end + 9 + ((BLOCK - ((length + 9) % BLOCK)) % BLOCK);
  bytes[end] = 0x80;
  for (let i = end + 1; i < padded - 8; i++) bytes[i] = 0;
  // The length in bits as a 64-bit big-endian number (exact in a double up to 2^53).
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  bytes[padded - 8] = high >>> 24;
  bytes[padded - 7] = high >>> 16;
  bytes[padded - 6] = high >>> 8;
  bytes[padded - 5] = high;
  bytes[padded - 4] = bits >>> 24;
  bytes[padded - 3] = bits >>> 16;
  bytes[padded - 2] = bits >>> 8;
  bytes[padded - 1] = bits;
  return padded;
}

export interface HmacSha256 {
  /**
   * HMAC of the UTF-8 bytes of `prefix` followed by those of `text`, written to `out` at `at` (32 bytes).
   * Each string is encoded on its own, like update(prefix).update(text): a lone surrogate is U+FFFD.
   */
  digestInto(prefix: string, text: string, out: Uint8Array, at: number): void;
  /** The same, as a new 32-byte Buffer (a slice of Node's shared pool, not a native allocation of its own). */
  digest(prefix: string, text: string): Buffer;
  /** HMAC of raw bytes, for messages that are not text. */
  digestBytes(message: Uint8Array): Buffer;
}

/** Room in `scratch` for `length` message bytes and their padding. */
function scratchFor(length: number): Uint8Array {
  if (scratch.length < length + BLOCK + 8) scratch = new Uint8Array((length + BLOCK + 8) * 2);
  return scratch;
}

/** Prepares `key` (any length; longer than a block it is hashed first, as RFC 2104 says). */
export function prepareHmacSha256(key: Uint8Array): HmacSha256 {
  const block = new Uint8Array(BLOCK);
  block.set(key.length > BLOCK ? createHash('sha256').update(key).digest() : key);
  const padState = (byte: number): Int32Array => {
    for (let i = 0; i < BLOCK; i++) block[i]! ^= byte;
    const h = INITIAL_STATE.slice();
    compress(h, block, 0);
    for (let i = 0; i < BLOCK; i++) block[i]! ^= byte;
    return h;
  };
  const inner = padState(0x36);
  const outer = padState(0x5c);
  block.fill(0);
  // The outer hash's message is always the 32-byte inner digest after one block: one padded block.
  const outerBlock = new Uint8Array(BLOCK);
  pad(outerBlock, DIGEST, BLOCK + DIGEST);

  /** HMAC of the first `length` bytes of `scratch` (which has room for the padding). */
  const finish = (length: number, out: Uint8Array, at: number): void => {
    const bytes = scratch;
    const padded = pad(bytes, length, BLOCK + length);
    state.set(inner);
    for (let i = 0; i < padded; i += BLOCK) compress(state, bytes, i);
    writeState(state, outerBlock, 0);
    state.set(outer);
    compress(state, outerBlock, 0);
    writeState(state, out, at);
  };
  const digestInto = (prefix: string, text: string, out: Uint8Array, at: number): void => {
    // At most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
    const bytes = scratchFor(3 * (prefix.length + text.length));
    finish(writeUtf8(text, bytes, writeUtf8(prefix, bytes, 0)), out, at);
  };
  return {
    digestInto,
    digest(prefix, text) {
      const out = Buffer.allocUnsafe(DIGEST);
      digestInto(prefix, text, out, 0);
      return out;
    },
    digestBytes(message) {
      scratchFor(message.length).set(message);
      const out = Buffer.allocUnsafe(DIGEST);
      finish(message.length, out, 0);
      return out;
    },
  };
}
