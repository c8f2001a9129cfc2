import type { RegistryRow } from '../store/types.ts';

/** Row indices fit in the low 21 bits of a key whose high 32 bits are the ID hash's first 4 bytes (2^53). */
const INDEX_BITS = 2 ** 21;

/**
 * The order to hand a batch to the store in: by ID hash, and in file order among rows of one person.
 * Hashes are random, so rows in file order land all over the registry's B-tree (keyed by ID hash)
 * and every insert may fault in another page; in key order a batch walks the tree once. The stored
 * registry is the same: rows of one person (the only ones whose order decides a duplicate or a name
 * conflict) keep their file order. Returns batch indices; a batch of 2^21 rows or more keeps file order.
 */
export function insertionOrder(rows: readonly RegistryRow[]): Uint32Array {
  const n = rows.length;
  const order = new Uint32Array(n);
  if (n >= INDEX_BITS) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  // One numeric sort of (hash prefix, index) keys: no comparator calls, and equal prefixes stay in
  // file order, which covers equal ID hashes.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = rows[i]!.idHash.readUInt32BE(0) * INDEX_BITS + i;
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i]! % INDEX_BITS;
  return order;
}
