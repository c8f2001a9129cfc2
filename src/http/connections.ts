import type { Server } from 'node:net';

/**
 * At most `cap` open connections per client address: one client cannot take every file descriptor.
 * The socket peer counts (behind a proxy, the proxy: give it a cap above its pool size, or 0 for none).
 */
export function capConnectionsPerClient(server: Server, cap: number): void {
  if (cap <= 0) return;
  const open = new Map<string, number>();
  // Before the HTTP server's own listener: a refused socket never gets a parser.
  server.prependListener('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
