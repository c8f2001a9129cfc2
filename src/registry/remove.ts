import { canonicalIdNumber } from '../core/id-number.ts';
import type { RegistryStore } from '../store/types.ts';
import type { RegistryHasher } from './hash.ts';

/** Removes every registry row of one person (any spelling of the ID number); returns the rows removed. */
export async function removePerson(opts: { store: RegistryStore; hasher: RegistryHasher; idNumber: string }): Promise<number> {
  return opts.store.remove(opts.hasher.idNumber(canonicalIdNumber(opts.idNumber)));
}
