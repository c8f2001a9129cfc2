import type { AddressSet } from './cidr.ts';

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
