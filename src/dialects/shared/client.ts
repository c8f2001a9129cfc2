import type { IncomingHttpHeaders } from 'node:http';
import type { AddressSet } from '../../access/cidr.ts';
import { clientIp } from '../../access/client-ip.ts';

/** What the allow-lists read of a request: its socket peer and headers (a Fastify request is one). */
export interface ClientRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/** The client's address as the allow-lists judge it: the socket peer, or X-Forwarded-For from a trusted proxy. */
export function requestClientIp(request: ClientRequest, trustedProxies: AddressSet): string {
  return clientIp(request.socket.remoteAddress ?? '', request.headers['x-forwarded-for'], trustedProxies);
}
