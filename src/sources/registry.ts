import type { CheckKind, Factor, Factors } from '../core/factors.ts';
import type { RegistryHasher } from '../registry/hash.ts';
import type { RegistryMatch, RegistryStore } from '../store/types.ts';
import { SourceFailure, type Source, type SourceAnswer } from './types.ts';

/**
 * The company's own records, one row per (person, bank card), each row with the phone given with it.
 * Compares keyed hashes of canonical factors; never sees plaintext at rest.
 *
 * What each kind's answers mean (the README's registry section says the same):
 * - The record is the person the ID number names; `mismatched` lists every asked factor that is not
 *   theirs, in the kind's factor order (the ID number itself never: it is what was looked up).
 * - idcard2: not_found when the ID number is not on file; mismatch [name] when it is under another name.
 * - bankcard3: also not_found when the person has no card on file at all (nothing to compare with);
 *   mismatch [bankCard] when their cards on file are all others.
 * - bankcard4: as bankcard3, and the phone is compared with the phone given with the asked card (the
 *   phone reserved at the bank): not_found when that row carries no phone; mismatch [phone] when it is
 *   another. When the card is not theirs the phone is not compared.
 * - phone3: the phone is compared with every phone of the person: not_found when none is on file;
 *   mismatch [phone] when all are others.
 * - bankcard2 (no ID number): the record is whoever holds the card. not_found when no row carries the
 *   card; mismatch [name] when its holders are all under other names.
 * A wrong name is reported even where the rest cannot be compared: mismatch [name], never not_found.
 */
export function registrySource(store: RegistryStore, hasher: RegistryHasher): Source {
  return {
    name: 'registry',
    supports: () => true,
    async check(kind: CheckKind, factors: Factors): Promise<SourceAnswer> {
      const name = need(factors, 'name', kind);
      if (kind === 'bankcard2') {
        const m = await store.matchCard(hasher.bankCard(need(factors, 'bankCard', kind)), hasher.name(name));
        if (!m.found) return { verdict: 'not_found' };
        return m.nameMatches ? { verdict: 'match' } : { verdict: 'mismatch', mismatched: ['name'] };
      }
      const idHash = hasher.idNumber(need(factors, 'idNumber', kind));
      const withCard = kind === 'bankcard3' || kind === 'bankcard4';
      const withPhone = kind === 'bankcard4' || kind === 'phone3';
      const cardHash = withCard ? hasher.bankCard(need(factors, 'bankCard', kind)) : null;
      const m = withPhone
        ? await store.match(idHash, hasher.name(name), cardHash, hasher.phone(need(factors, 'phone', kind)))
        : await store.match(idHash, hasher.name(name), cardHash);
      if (!m.found) return { verdict: 'not_found' };
      return verdictOf(m, withCard, withPhone);
    },
  };
}

/** The person is on file: which of the asked factors are theirs (pushed in every kind's factor order). */
function verdictOf(m: RegistryMatch, withCard: boolean, withPhone: boolean): SourceAnswer {
  const mismatched: Factor[] = [];
  let comparable = true;
  if (!m.nameMatches) mismatched.push('name');
  // The card decides whether its phone can be compared: an unknown card leaves nothing to compare with.
  let phoneComparable = withPhone;
  if (withCard) {
    if (!m.cardsOnFile) comparable = phoneComparable = false;
    else if (!m.cardMatches) {
      mismatched.push('bankCard');
      phoneComparable = false;
    }
  }
  if (phoneComparable) {
    if (!m.phonesOnFile) comparable = false;
    else if (!m.phoneMatches) mismatched.push('phone');
  }
  if (mismatched.length > 0) return { verdict: 'mismatch', mismatched };
  return comparable ? { verdict: 'match' } : { verdict: 'not_found' };
}

function need(factors: Factors, factor: Factor, kind: CheckKind): string {
  const value = factors[factor];
  if (value === undefined) throw new SourceFailure('error', `registry: ${kind} needs ${factor}`);
  return value;
}
