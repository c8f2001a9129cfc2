import type { FastifyRequest } from 'fastify';
import type { AddressSet } from '../../access/cidr.ts';
import { clientIp } from '../../access/client-ip.ts';

/** The client's address as the allow-lists judge it: the socket peer, or X-Forwarded-For from a trusted proxy. */
export function requestClientIp(request: FastifyRequest, trustedProxies: AddressSet): string {
  return clientIp(request.socket.remoteAddress ?? '', request.headers['x-forwarded-for'], trustedProxies);
}
