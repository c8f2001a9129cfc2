import type { CheckKind, Factors } from './factors.ts';
import { CHECK_KINDS, KIND_FACTORS } from './factors.ts';
import type { Card, Invalid, PhoneFacts, Subject } from './outcome.ts';
import { validateIdNumber, type IdNumberResult, type IdType } from './id-number.ts';
import { validateName } from './name.ts';
import { validateBankCard } from './bank-card.ts';
import { validatePhone } from './phone.ts';

/** Bumped whenever a canonical form changes: the registry records it per row. */
export const NORMALIZATION_VERSION = 1;

export type Validated =
  | { ok: true; factors: Factors; subject?: Subject; card?: Card; phone?: PhoneFacts; warnings: string[] }
  | { ok: false; invalid: Invalid };

/** Warnings a valid outcome may carry. */
export const WARNINGS = {
  /** A domestic UnionPay card (62…) failing Luhn: accepted, since not every such card satisfies it. */
  luhn: 'luhn',
  /** The ID number was given in its 15-digit legacy form and converted to 18 digits. */
  legacy15: 'legacy15',
} as const;

const isForeigner = (type: IdType | undefined): boolean =>
  type === 'foreignPermanent2023' || type === 'foreignPermanent2017';

/** Kinds that carry an ID number: a name's script is judged by the ID's type. */
const WITH_ID_NUMBER = new Set<CheckKind>(CHECK_KINDS.filter((kind) => KIND_FACTORS[kind].includes('idNumber')));

/**
 * Offline validation of the factors a kind needs, in KIND_FACTORS order; the first invalid factor answers.
 * `now` is injected so tests control "today" (birth dates are checked against today in Asia/Shanghai).
 * Valid factors come back in their canonical forms, with facts derived from the ID number and the BIN.
 *
 * A Latin-letter name needs a foreigner's ID number. Where the name comes before the ID number in the
 * order (bankcard4) the ID is read ahead; an invalid one does not condemn the name's script, it answers
 * in its own place. A kind without an ID number (bankcard2) has nothing to tie the script to: Latin
 * letters pass.
 */
export function validateFactors(kind: CheckKind, raw: Factors, now: Date): Validated {
  const factors: Factors = {};
  const warnings: string[] = [];
  let subject: Subject | undefined;
  let card: Card | undefined;
  let phone: PhoneFacts | undefined;
  let id: IdNumberResult | undefined;
  for (const field of KIND_FACTORS[kind]) {
    switch (field) {
      case 'idNumber': {
        const r = (id ??= validateIdNumber(raw.idNumber, now));
        if (!r.ok) return r;
        factors.idNumber = r.idNumber;
        if (r.facts.legacy15) warnings.push(WARNINGS.legacy15);
        const { region } = r.facts;
        subject = r.facts.sex
          ? { sex: r.facts.sex, birthDate: r.facts.birthDate, region: { code: region.code, name: region.name } }
          : { birthDate: r.facts.birthDate, region: { code: region.code, name: region.name } };
        break;
      }
      case 'name': {
        if (id === undefined && WITH_ID_NUMBER.has(kind)) id = validateIdNumber(raw.idNumber, now);
        const allowLatin = id === undefined || !id.ok || isForeigner(id.facts.type);
        const r = validateName(raw.name, allowLatin);
        if (!r.ok) return r;
        factors.name = r.name;
        break;
      }
      case 'bankCard': {
        const r = validateBankCard(raw.bankCard);
        if (!r.ok) return { ok: false, invalid: r.invalid };
        factors.bankCard = r.bankCard;
        // Bank and type come from the same BIN entry: both or neither.
        card = r.bank && r.type ? { bank: { code: r.bank.code, name: r.bank.name }, type: r.type } : {};
        if (r.luhnWarning) warnings.push(WARNINGS.luhn);
        break;
      }
      case 'phone': {
        const r = validatePhone(raw.phone);
        if (!r.ok) return r;
        factors.phone = r.phone;
        phone = r.carrier === undefined ? {} : { carrier: r.carrier };
        break;
      }
    }
  }
  if (phone) return { ok: true, factors, warnings, ...(subject ? { subject } : {}), ...(card ? { card } : {}), phone };
  // One literal per shape: adding properties afterwards would grow the object a second time.
  if (!subject) return card ? { ok: true, factors, warnings, card } : { ok: true, factors, warnings };
  return card ? { ok: true, factors, warnings, subject, card } : { ok: true, factors, warnings, subject };
}
