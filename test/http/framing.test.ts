import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, wire } from '../helpers/wire.ts';
import { listening, ROUTES } from './server.ts';

/** Issue 17 #4: one request, one response — a framing error closes the connection. */
describe('framing errors', () => {
  let http: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    http = await listening();
  });
  afterAll(() => http?.close());

  for (const { path } of ROUTES) {
    it(`${path}: a Content-Type without a slash and a bad chunk size get no answer after which a second one comes`, async () => {
      const bytes = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: foo\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`;
      const result = await wire(http.port, bytes, { waitMs: 3000 });
      // Before: 200 {"code":21…} with keep-alive, then 400 Bad Request on the same connection.
      expect(result.responses.length).toBeLessThanOrEqual(1);
      expect(result.closed).toBe(true);
    });

    it(`${path}: a good request followed by garbage gets its answer, then a 400 that closes the connection`, async () => {
      const good = httpRequest('POST', path, { 'content-type': 'application/json' }, '{}');
      const result = await wire(http.port, Buffer.concat([good, Buffer.from('NOT HTTP AT ALL\r\n\r\n')]), { waitMs: 3000 });
      expect(result.responses.map((r) => r.status)).toEqual([200, 400]);
      expect(result.responses[1]?.headers.connection).toBe('close');
      expect(result.closed).toBe(true);
    });
  }

  it('two pipelined requests get two answers, in order', async () => {
    const one = httpRequest('POST', '/auth/idcard', { 'content-type': 'application/json' }, '{}');
    const two = httpRequest('GET', '/healthz', {});
    const result = await wire(http.port, Buffer.concat([one, two]), { waitMs: 3000, responses: 2 });
    expect(result.responses.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(result.responses[1]!.body.toString())).toEqual({ status: 'ok' });
  });

  it('a request with both Content-Length and Transfer-Encoding is refused and its connection closed', async () => {
    const bytes = `POST /auth/idcard HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`;
    const result = await wire(http.port, bytes, { waitMs: 3000 });
    expect(result.responses.map((r) => r.status)).toEqual([400]);
    expect(result.closed).toBe(true);
  });
});
