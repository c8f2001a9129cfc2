/**
 * The core's public face: what dialects, protocols and the rest of the house may use of the domain.
 * Pure (no I/O): factors and kinds, validation, the Outcome model and the derived facts.
 */
export { CHECK_KINDS, KIND_FACTORS, isCheckKind, type CheckKind, type Factor, type Factors } from './factors.ts';
export {
  BILL_EVERY_VERDICT,
  INVALID_REASONS,
  isBilled,
  type BillingTable,
  type Card,
  type Invalid,
  type InvalidReason,
  type Outcome,
  type PhoneFacts,
  type SourceVerdict,
  type Subject,
  type Unavailability,
  type Verdict,
} from './outcome.ts';
export { NORMALIZATION_VERSION, WARNINGS, validateFactors, type Validated } from './validate.ts';
export { canonicalIdNumber, validateIdNumber, type IdType } from './id-number.ts';
export { canonicalBankCard, validateBankCard } from './bank-card.ts';
export { canonicalPhone, carrierOf, validatePhone } from './phone.ts';
export { canonicalCheckId, checkIdAsUuid } from './check-id.ts';
export { shanghaiToday } from './dates.ts';
export type { CardType } from './bins.ts';
export type { Region } from './regions.ts';
