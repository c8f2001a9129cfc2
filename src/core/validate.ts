import type { CheckKind, Factors } from './factors.ts';
import type { Card, Invalid, Subject } from './outcome.ts';

/** Bumped whenever a canonical form changes: the registry records it per row. */
export const NORMALIZATION_VERSION = 1;

export type Validated =
  | { ok: true; factors: Factors; subject?: Subject; card?: Card; warnings: string[] }
  | { ok: false; invalid: Invalid };

/**
 * Offline validation of the factors a kind needs, in KIND_FACTORS order; the first invalid factor answers.
 * `now` is injected so tests control "today" (birth dates are checked against today in Asia/Shanghai).
 * PLACEHOLDER: replaced by the validation module (id-number.ts, name.ts, bank-card.ts).
 */
export function validateFactors(_kind: CheckKind, _raw: Factors, _now: Date): Validated {
  throw new Error('not implemented yet');
}
