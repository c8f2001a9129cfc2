import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, parseResponses } from '../helpers/wire.ts';
import { listening } from './server.ts';

const CAP = 8;

/** Opens a connection; resolves once it is up (or already closed by the server). */
function open(port: number): Promise<{ socket: Socket; closed: () => boolean; received: () => Buffer }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let closed = false;
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.once('connect', () => resolve({ socket, closed: () => closed, received: () => Buffer.concat(chunks) }));
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** Issue 17 #6: one client address cannot take every file descriptor. */
describe('connections per client address', () => {
  let http: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    http = await listening({ connectionsPerClient: CAP });
  });
  afterAll(() => http?.close());

  it(`keeps ${CAP} connections of one address, closes the rest at once, and takes new ones as old ones close`, async () => {
    const sockets = [];
    for (let i = 0; i < CAP + 4; i++) sockets.push(await open(http.port));
    await settle();
    expect(sockets.filter((s) => s.closed())).toHaveLength(4);
    const kept = sockets.filter((s) => !s.closed());
    // the kept ones are served
    for (const s of kept) s.socket.write(httpRequest('GET', '/healthz', {}));
    await settle();
    expect(kept.map((s) => parseResponses(s.received()).responses[0]?.status)).toEqual(Array(CAP).fill(200));
    // one closes, one more may come in
    kept[0]!.socket.destroy();
    await settle();
    const next = await open(http.port);
    const refused = await open(http.port);
    await settle();
    expect([next.closed(), refused.closed()]).toEqual([false, true]);
    for (const s of [...kept, next]) s.socket.destroy();
  });
});
