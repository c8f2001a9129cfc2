import { Server as NetServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long a shutdown waits for keep-alive clients to take their `Connection: close` answer. */
export const DRAIN_MS = 1000;

/**
 * A graceful drain for keep-alive clients. Closing an HTTP server closes its idle connections at once,
 * and a busy client has its next request on the way over one of them at that moment: it reads a reset,
 * not an answer (a SIGTERM under load dropped most of 40 clients' next requests, and those that arrived
 * while Fastify was closing got its own 503). So a shutdown first stops accepting connections (a client
 * then sees a refused connect, before it sent anything), goes on serving the open ones with `Connection:
 * close` on every answer (Fastify adds it while closing), and waits until each has closed after its
 * answer or `drainMs` has passed; only connections still open then (clients that sent nothing) are
 * closed under them.
 */
export function drainOnClose(app: FastifyInstance, server: Server, drainMs = DRAIN_MS): void {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  app.addHook('preClose', async () => {
    // net's close, not http's: http's would close the idle connections now, under requests in transit.
    if (server.listening) NetServer.prototype.close.call(server);
    const until = Date.now() + drainMs;
    while (open.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  });
}
