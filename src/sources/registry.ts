import type { CheckKind, Factors } from '../core/factors.ts';
import type { RegistryHasher } from '../registry/hash.ts';
import type { RegistryStore } from '../store/types.ts';
import { SourceFailure, type Source, type SourceAnswer } from './types.ts';

/**
 * The company's own records. Compares keyed hashes of canonical factors; never sees plaintext at rest.
 * A person on file without the asked bank card on file at all is not_found (nothing to compare with);
 * with other cards on file it is a bank card mismatch.
 */
export function registrySource(store: RegistryStore, hasher: RegistryHasher): Source {
  return {
    name: 'registry',
    supports: (kind: CheckKind) => kind === 'idcard2' || kind === 'bankcard3',
    async check(kind: CheckKind, factors: Factors): Promise<SourceAnswer> {
      const idNumber = factors.idNumber;
      const name = factors.name;
      if (idNumber === undefined || name === undefined) throw new SourceFailure('error', 'registry needs idNumber and name');
      const rows = await store.lookup(hasher.idNumber(idNumber));
      const first = rows[0];
      if (!first) return { verdict: 'not_found' };
      if (!first.nameHash.equals(hasher.name(name))) return { verdict: 'mismatch', mismatched: ['name'] };
      if (kind === 'idcard2') return { verdict: 'match' };
      if (factors.bankCard === undefined) throw new SourceFailure('error', 'bankcard3 needs bankCard');
      const cards = rows.filter((row) => row.cardHash !== null && row.cardHash.length > 0);
      if (cards.length === 0) return { verdict: 'not_found' };
      const cardHash = hasher.bankCard(factors.bankCard);
      return cards.some((row) => row.cardHash?.equals(cardHash))
        ? { verdict: 'match' }
        : { verdict: 'mismatch', mismatched: ['bankCard'] };
    },
  };
}
