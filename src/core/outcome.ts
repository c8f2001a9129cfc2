import type { CheckKind, Factor } from './factors.ts';

export type Verdict = 'match' | 'mismatch' | 'not_found' | 'invalid' | 'unavailable';

/** Why a factor was rejected offline: a closed set, never free text, so every dialect can map it. */
export const INVALID_REASONS = [
  'empty',
  'length',
  'charset',
  'checksum',
  'region',
  'birthDate',
  'luhn',
  'dots',
  /** A name's script does not fit the ID's type (Latin letters need a foreigner's permanent residence ID). */
  'type',
  /** A phone number outside the mainland mobile segments in service. */
  'segment',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface Invalid {
  field: Factor;
  reason: InvalidReason;
  /** 1-based code-point position of the offending character, where the reason has one. */
  position?: number;
}

/** Facts derived from a valid ID number. */
export interface Subject {
  sex: 'M' | 'F';
  /** YYYY-MM-DD */
  birthDate: string;
  region: { code: string; name: string };
}

/** Facts derived from a valid bank card number's BIN. */
export interface Card {
  bank?: { code: string; name: string };
  /** DC 借记卡, CC 贷记卡, SCC 准贷记卡, PC 预付费卡 */
  type?: 'DC' | 'CC' | 'SCC' | 'PC';
}

/** Why no verdict came from the sources. */
export type Unavailability = 'error' | 'unreachable';

export interface Outcome {
  checkId: string;
  kind: CheckKind;
  verdict: Verdict;
  mismatched?: Factor[];
  invalid?: Invalid;
  unavailable?: Unavailability;
  subject?: Subject;
  card?: Card;
  warnings?: string[];
  /** Name of the source that gave the verdict ('validation' for offline rejects). */
  source: string;
  /** match, mismatch and not_found are billed; invalid and unavailable never are. */
  billed: boolean;
}

export function isBilled(verdict: Verdict): boolean {
  return verdict === 'match' || verdict === 'mismatch' || verdict === 'not_found';
}
