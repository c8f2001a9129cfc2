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
      const card = kind === 'bankcard3' ? factors.bankCard : undefined;
      if (kind === 'bankcard3' && card === undefined) throw new SourceFailure('error', 'bankcard3 needs bankCard');
      const m = await store.match(hasher.idNumber(idNumber), hasher.name(name), card === undefined ? null : hasher.bankCard(card));
      if (!m.found) return { verdict: 'not_found' };
      if (!m.nameMatches) return { verdict: 'mismatch', mismatched: ['name'] };
      if (kind === 'idcard2') return { verdict: 'match' };
      if (!m.cardsOnFile) return { verdict: 'not_found' };
      return m.cardMatches ? { verdict: 'match' } : { verdict: 'mismatch', mismatched: ['bankCard'] };
    },
  };
}
