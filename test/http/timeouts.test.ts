import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../src/http/index.ts';
import { httpRequest, wire } from '../helpers/wire.ts';
import { listening } from './server.ts';

/** A hang is no answer within the deadline plus 2 s: each kind of slow client is let go by then. */
const GRACE_MS = 2000;

/** Issue 17 #6: idle and dripping connections were held 60–90 s. Deadlines here are short so the test is. */
describe.concurrent('deadlines for slow clients', () => {
  const limits = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000 };
  let http: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    http = await listening(limits);
  });
  afterAll(() => http?.close());

  it('a connection that sends nothing is closed after the headers deadline', async () => {
    const result = await wire(http.port, [], { waitMs: limits.headersTimeoutMs + GRACE_MS });
    expect(result.closed).toBe(true);
  });

  it('headers dripped a line at a time are cut off at the headers deadline, with a 408', async () => {
    const lines = ['POST /auth/idcard HTTP/1.1\r\n', ...Array.from({ length: 100 }, (_, i) => `x-drip-${i}: 1\r\n`)];
    const result = await wire(http.port, lines, { dripMs: 100, waitMs: limits.headersTimeoutMs + GRACE_MS });
    expect(result.closed).toBe(true);
    expect(result.responses.map((r) => r.status)).toEqual([408]);
  });

  it('a body dripped a byte at a time is cut off at the request deadline, with no answer to it', async () => {
    const head = httpRequest('POST', '/factor/idcard', { 'content-type': 'application/json', 'content-length': '1000' });
    const result = await wire(http.port, [head, ...Array.from({ length: 1000 }, () => 'a')], { dripMs: 50, waitMs: limits.requestTimeoutMs + GRACE_MS });
    expect(result.closed).toBe(true);
    expect(result.responses).toHaveLength(0);
  });

  it('an idle keep-alive connection is closed after the keep-alive deadline', async () => {
    const result = await wire(http.port, httpRequest('GET', '/healthz', {}), { waitMs: 60_000 });
    expect(result.responses.map((r) => r.status)).toEqual([200]);
    expect(result.closed).toBe(true);
    expect(result.ms).toBeLessThan(limits.keepAliveTimeoutMs + GRACE_MS);
  });
});

describe('deadlines by default', () => {
  it('are 10 s for headers, 30 s for the request and 5 s keep-alive, checked every second', async () => {
    const http = await listening();
    try {
      expect(DEFAULT_HTTP_LIMITS).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, connectionsPerClient: 256 });
      const server = http.server.server as import('node:http').Server;
      expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([10_000, 30_000, 5_000]);
    } finally {
      await http.close();
    }
  });
});
