import { BlockList, isIP } from 'node:net';

/** A set of CIDR ranges (IPv4 and IPv6); an IPv4-mapped IPv6 client address matches its IPv4 range. */
export interface AddressSet {
  has(address: string): boolean;
}

export class CidrError extends Error {}

export function parseCidrList(cidrs: readonly string[]): AddressSet {
  const list = new BlockList();
  for (const raw of cidrs) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new CidrError(`not an IP address or CIDR: ${entry}`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
      throw new CidrError(`bad prefix length in ${entry}`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return { has: (address) => contains(list, address) };
}

function contains(list: BlockList, address: string): boolean {
  const unmapped = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(unmapped);
  if (family === 0) return false;
  return list.check(unmapped, family === 4 ? 'ipv4' : 'ipv6');
}

/** Validates a CIDR list given on the command line; throws CidrError naming the bad entry. */
export function checkCidrs(cidrs: readonly string[]): string[] {
  parseCidrList(cidrs);
  return cidrs.map((c) => c.trim()).filter(Boolean);
}
