import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthorization, signTc3 } from '../../../src/protocols/tencentcloud/index.ts';

const SIGNATURE = 'a'.repeat(64);
const header = (over: Partial<Record<'algorithm' | 'credential' | 'signedHeaders' | 'signature', string>> = {}) =>
  `${over.algorithm ?? 'TC3-HMAC-SHA256'} Credential=${over.credential ?? 'AKIDexample/2025-06-01/faceid/tc3_request'}, SignedHeaders=${over.signedHeaders ?? 'content-type;host'}, Signature=${over.signature ?? SIGNATURE}`;

describe('parseAuthorization', () => {
  it('reads what the signer writes (the SDK\'s format)', () => {
    const written = signTc3({
      request: { method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/json', host: '127.0.0.1:8080' }, body: '{}' },
      secretId: 'AKIDexample',
      secretKey: 'key',
      service: '127',
      timestamp: 1_748_750_400,
    });
    expect(parseAuthorization(written)).toEqual({
      ok: true,
      authorization: { secretId: 'AKIDexample', date: '2025-06-01', service: '127', signedHeaders: ['content-type', 'host'], signature: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('takes the service and the signed headers as the client names them', () => {
    const parsed = parseAuthorization(header({ credential: 'AKIDx/2025-06-01/localhost:8080/tc3_request', signedHeaders: 'content-type;host;x-tc-action' }));
    expect(parsed).toMatchObject({ ok: true, authorization: { service: 'localhost:8080', signedHeaders: ['content-type', 'host', 'x-tc-action'] } });
    // Spacing around the parts is not the signature's business.
    expect(parseAuthorization(`TC3-HMAC-SHA256  Credential=AKIDx/2025-06-01/faceid/tc3_request,SignedHeaders=content-type;host ,  Signature=${SIGNATURE}`)).toMatchObject({ ok: true });
  });

  it('says missing for no header or an empty one', () => {
    expect(parseAuthorization(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(parseAuthorization('')).toEqual({ ok: false, reason: 'missing' });
    expect(parseAuthorization('   ')).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['another algorithm', header({ algorithm: 'TC3-HMAC-SHA1' })],
    ['the algorithm alone', 'TC3-HMAC-SHA256'],
    ['the image service\'s signature', 'dGhpcyBpcyBub3QgVEMz'],
    ['v1 parameters', 'HmacSHA256 Signature=abc'],
    ['a part missing', `TC3-HMAC-SHA256 Credential=AKIDx/2025-06-01/faceid/tc3_request, Signature=${SIGNATURE}`],
    ['a part twice', `${header()}, Signature=${SIGNATURE}`],
    ['an unknown part', `${header()}, Region=ap-guangzhou`],
    ['a part without =', `${header()}, junk`],
    ['a scope of three parts', header({ credential: 'AKIDx/2025-06-01/tc3_request' })],
    ['a scope of five parts', header({ credential: 'AKIDx/2025-06-01/faceid/x/tc3_request' })],
    ['another terminator', header({ credential: 'AKIDx/2025-06-01/faceid/aws4_request' })],
    ['a date not YYYY-MM-DD', header({ credential: 'AKIDx/20250601/faceid/tc3_request' })],
    ['an empty SecretId', header({ credential: '/2025-06-01/faceid/tc3_request' })],
    ['an empty service', header({ credential: 'AKIDx/2025-06-01//tc3_request' })],
    ['a SecretId with a space', header({ credential: 'AKID x/2025-06-01/faceid/tc3_request' })],
    ['upper-case header names', header({ signedHeaders: 'Content-Type;Host' })],
    ['an empty header name', header({ signedHeaders: 'content-type;;host' })],
    ['a header named twice', header({ signedHeaders: 'content-type;host;host' })],
    ['too many headers', header({ signedHeaders: Array.from({ length: 33 }, (_, i) => `x-h${i}`).join(';') })],
    ['a short signature', header({ signature: 'a'.repeat(63) })],
    ['an upper-case signature', header({ signature: 'A'.repeat(64) })],
    ['a base64 signature', header({ signature: Buffer.alloc(48).toString('base64') })],
  ])('says malformed for %s', (_, value) => {
    expect(parseAuthorization(value)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('says malformed for the header sent twice', () => {
    expect(parseAuthorization([header(), header()])).toEqual({ ok: false, reason: 'malformed' });
  });

  it('answers one of its two reasons for any string, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'TC3-HMAC-SHA256 Credential=/;,aZ09_') })), (value) => {
        const parsed = parseAuthorization(value);
        if (!parsed.ok) expect(['missing', 'malformed']).toContain(parsed.reason);
      }),
    );
  });
});
