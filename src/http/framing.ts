import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
}

/**
 * One request, one response. A framing error (a bad chunk size, a broken header line, a deadline passed)
 * is answered with a plain 4xx and the connection closed — unless it broke the message being answered:
 * then the connection is closed with no answer at all, since an answer sent on it now (or already sent)
 * would be read as the answer to the client's next request.
 */
export function oneResponsePerRequest(server: Server): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  // The latest request seen on each connection.
  const latest = new WeakMap<Duplex, Exchange>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => latest.set(request.socket, { request, response }));

  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const last = latest.get(socket);
    if (last && !last.request.complete) {
      socket.destroy();
      return;
    }
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const answer = () => refuse(socket as Socket, status);
    // A complete earlier request still being answered (pipelined): its answer first, then this one.
    if (last && !last.response.writableFinished && !last.response.destroyed) last.response.once('close', answer);
    else answer();
  };
}

function refuse(socket: Socket, status: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: STATUS_CODES[status], statusCode: status });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
  socket.destroySoon();
}
