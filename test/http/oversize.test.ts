import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, wire } from '../helpers/wire.ts';
import { codeOf, listening, ROUTES } from './server.ts';

const MB = 1024 * 1024;
const body = (bytes: number) => Buffer.alloc(bytes, 0x61);

/**
 * Issue 17 #5: the documented 23 / 1224 answer reaches a client that sends its whole body before it
 * reads — the body is read (and dropped) up to 16 MiB before the answer, which then closes the connection.
 */
describe('oversize bodies', () => {
  let http: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    http = await listening();
  });
  afterAll(() => http?.close());

  for (const { path, tooLarge } of ROUTES) {
    it(`${path}: every one of four 10 MB uploads gets ${tooLarge} with Connection: close`, async () => {
      const uploads = Array.from({ length: 4 }, () =>
        wire(http.port, [httpRequest('POST', path, { 'content-type': 'application/json', 'content-length': String(10 * MB) }), body(10 * MB)], { sendAllFirst: true, waitMs: 15_000 }),
      );
      for (const result of await Promise.all(uploads)) {
        expect(result.error).toBeUndefined();
        expect(result.responses).toHaveLength(1);
        expect(result.responses[0]!.headers.connection).toBe('close');
        expect(codeOf(result.responses[0]!.body)).toBe(String(tooLarge));
      }
    });

    it(`${path}: a 10 MB chunked upload gets ${tooLarge} too`, async () => {
      const chunk = body(MB);
      const chunks = Array.from({ length: 10 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const result = await wire(http.port, [head, ...chunks, '0\r\n\r\n'], { sendAllFirst: true, waitMs: 15_000 });
      expect(result.responses.map((r) => codeOf(r.body))).toEqual([String(tooLarge)]);
    });
  }

  it('past 16 MiB the connection is closed rather than read for ever, and the service goes on', async () => {
    const result = await wire(http.port, [httpRequest('POST', '/auth/idcard', { 'content-type': 'application/json', 'content-length': String(64 * MB) }), ...Array.from({ length: 64 }, () => body(MB))], { waitMs: 15_000 });
    expect(result.closed).toBe(true);
    expect(result.responses.length).toBeLessThanOrEqual(1);
    const after = await wire(http.port, httpRequest('GET', '/healthz', {}), { responses: 1 });
    expect(after.responses[0]?.status).toBe(200);
  });
});
