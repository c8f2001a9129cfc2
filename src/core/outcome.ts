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
  /**
   * The ID number is of a certificate the check cannot judge: the client said so (Tencent Cloud's
   * CertType other than 0, 二代身份证). A dialect finds it; validation never does.
   */
  'certificate',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface Invalid {
  field: Factor;
  reason: InvalidReason;
  /** 1-based code-point position of the offending character, where the reason has one. */
  position?: number;
}

/** Facts derived from a valid ID number (sex is absent where the number does not encode it: 2017 foreigners' IDs). */
export interface Subject {
  sex?: 'M' | 'F';
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

/** Facts derived from a valid mobile number's segment (a hint: numbers are ported between carriers). */
export interface PhoneFacts {
  carrier?: string;
}

/** Why no verdict came from the sources. */
export type Unavailability = 'error' | 'unreachable';

/** What every outcome carries, whatever its verdict. */
interface OutcomeBase {
  checkId: string;
  kind: CheckKind;
  subject?: Subject;
  card?: Card;
  phone?: PhoneFacts;
  warnings?: string[];
  /** Name of the source that gave the verdict ('validation' for offline rejects). */
  source: string;
  /** Charged to the app's quota: decided by the answering dialect's billing table, never for invalid or unavailable. */
  billed: boolean;
}

/** The core's answer to a check, one shape per verdict, so a presenter never needs a cast. */
export type Outcome =
  | (OutcomeBase & { verdict: 'match' })
  | (OutcomeBase & { verdict: 'mismatch'; mismatched: Factor[] })
  | (OutcomeBase & { verdict: 'not_found' })
  | (OutcomeBase & { verdict: 'invalid'; invalid: Invalid })
  | (OutcomeBase & { verdict: 'unavailable'; unavailable: Unavailability });

/** The verdicts a source gives: the ones a dialect's billing table prices. */
export type SourceVerdict = 'match' | 'mismatch' | 'not_found';

/**
 * Which verdicts are charged to the app's quota, as data: each dialect bills as its vendor does
 * (the vendor's "billed" column). `kinds` holds the exceptions of one kind to `verdicts`.
 */
export interface BillingTable {
  verdicts: Readonly<Record<SourceVerdict, boolean>>;
  kinds?: Readonly<Partial<Record<CheckKind, Readonly<Partial<Record<SourceVerdict, boolean>>>>>>;
}

/** The usual rule: every answer a source gives is billed (match, mismatch and no record). */
export const BILL_EVERY_VERDICT: BillingTable = { verdicts: { match: true, mismatch: true, not_found: true } };

export function isBilled(table: BillingTable, kind: CheckKind, verdict: SourceVerdict): boolean {
  return table.kinds?.[kind]?.[verdict] ?? table.verdicts[verdict];
}
