import type { IncomingHttpHeaders } from 'node:http';
import { parseCidrList, type AddressSet } from './cidr.ts';

/**
 * The client's address: the socket peer, or — only when that peer is a trusted proxy — the
 * right-most X-Forwarded-For entry not itself a trusted proxy (entries further left are client-controlled).
 */
export function clientIp(peer: string, forwardedFor: string | string[] | undefined, trusted: AddressSet): string {
  if (!forwardedFor || !trusted.has(peer)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}

/** What the allow-lists read of a request: its socket peer and headers (a Fastify request is one). */
export interface ClientRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

export type ClientAddress = (request: ClientRequest) => string;

/** The address the allow-lists judge, with the trusted proxies (`trustProxy` CIDRs) parsed once for every dialect. */
export function clientAddress(trustProxy: readonly string[]): ClientAddress {
  const trusted = parseCidrList(trustProxy);
  return (request) => clientIp(request.socket.remoteAddress ?? '', request.headers['x-forwarded-for'], trusted);
}
