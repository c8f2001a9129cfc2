import { canonicalBankCard } from '../core/bank-card.ts';
import type { Factors } from '../core/factors.ts';
import { canonicalIdNumber } from '../core/id-number.ts';
import { canonicalName } from '../core/name.ts';
import { canonicalPhone } from '../core/phone.ts';
import { deriveKey } from '../keys/derive.ts';
import { prepareHmacSha256 } from '../keys/hmac-sha256.ts';
import type { FactorHashes, FactorName } from '../store/types.ts';

/**
 * The audit's keyed hash of each factor: how a person's records are found (`audit search --id-number -`,
 * `subject report`) without the audit holding the factor. Its own key (audit-lookup, from the registry's
 * pepper: the same across key rotations, so old records stay findable), 128 bits of HMAC-SHA256 in hex,
 * over the factor's canonical form (what the registry hashes), so "110105…x" and "110105…X" are one person.
 */
export interface FactorHasher {
  hash(factor: FactorName, value: string): string;
  hashes(factors: Factors): FactorHashes;
}

const CANONICAL: Record<FactorName, (value: string) => string> = {
  name: canonicalName,
  idNumber: canonicalIdNumber,
  bankCard: canonicalBankCard,
  phone: canonicalPhone,
};

export const FACTOR_NAMES: readonly FactorName[] = ['name', 'idNumber', 'bankCard', 'phone'];

export function factorHasher(pepper: Buffer): FactorHasher {
  const hmac = prepareHmacSha256(deriveKey(pepper, 'audit-lookup'));
  const hash = (factor: FactorName, value: string) => hmac.digest(`${factor}\u0000`, CANONICAL[factor](value)).toString('hex', 0, 16);
  return {
    hash,
    hashes(factors) {
      const out: FactorHashes = {};
      // An empty value says nothing about anyone: no hash (every empty name would be "one person").
      if (typeof factors.name === 'string' && factors.name.trim() !== '') out.name = hash('name', factors.name);
      if (typeof factors.idNumber === 'string' && factors.idNumber.trim() !== '') out.idNumber = hash('idNumber', factors.idNumber);
      if (typeof factors.bankCard === 'string' && factors.bankCard.trim() !== '') out.bankCard = hash('bankCard', factors.bankCard);
      if (typeof factors.phone === 'string' && factors.phone.trim() !== '') out.phone = hash('phone', factors.phone);
      return out;
    },
  };
}

/** The audit chain's MAC key, from the same pepper (verifiable across key rotations). */
export const chainKey = (pepper: Buffer): Buffer => deriveKey(pepper, 'audit-chain');
