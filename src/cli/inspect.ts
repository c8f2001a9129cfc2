/**
 * `realname inspect`: validates one value offline and reports what it says. The kind is guessed
 * when not given: a value that passes the ID checks is an ID number, 11 digits starting with 1
 * (or +86…) a phone, anything else a bank card.
 */
import type { Invalid, InvalidReason } from '../core/outcome.ts';
import { canonicalIdNumber, validateIdNumber, type IdType } from '../core/id-number.ts';
import { canonicalBankCard, validateBankCard } from '../core/bank-card.ts';
import { canonicalPhone, validatePhone } from '../core/phone.ts';
import { WARNINGS } from '../core/validate.ts';
import type { Region } from '../core/regions.ts';
import type { CardType } from '../core/bins.ts';

export type InspectKind = 'idNumber' | 'bankCard' | 'phone';

export interface InspectReport {
  kind: InspectKind;
  valid: boolean;
  normalized: string;
  reason?: InvalidReason;
  /** 1-based position of the offending character, where the reason has one. */
  position?: number;
  /** Lengths the BIN table lists for this card's BIN, when the length is the reason. */
  expectedLengths?: number[];
  warnings: string[];
  type?: IdType | 'mobile';
  sex?: 'M' | 'F';
  birthDate?: string;
  age?: number;
  region?: Pick<Region, 'code' | 'province' | 'prefecture' | 'county' | 'name' | 'abolished' | 'successors'>;
  bank?: { code: string; name: string };
  cardType?: CardType;
  carrier?: string;
}

const ID_LIKE = /^(?:.{17}[xX]|[A-Za-z]{3}\d{12})$/;

function guessKind(value: string, now: Date): InspectKind {
  if (validateIdNumber(value, now).ok || ID_LIKE.test(value.trim())) return 'idNumber';
  if (/^1\d{10}$/.test(canonicalPhone(value)) || /^\s*(?:\+|00)86/.test(value)) return 'phone';
  return 'bankCard';
}

function invalidReport(kind: InspectKind, normalized: string, invalid: Invalid): InspectReport {
  const report: InspectReport = { kind, valid: false, normalized, reason: invalid.reason, warnings: [] };
  if (invalid.position !== undefined) report.position = invalid.position;
  return report;
}

function inspectIdNumber(value: string, now: Date): InspectReport {
  const r = validateIdNumber(value, now);
  if (!r.ok) return invalidReport('idNumber', canonicalIdNumber(value), r.invalid);
  const { facts } = r;
  const { code, province, prefecture, county, name, abolished, successors } = facts.region;
  const report: InspectReport = {
    kind: 'idNumber',
    valid: true,
    normalized: r.idNumber,
    warnings: facts.legacy15 ? [WARNINGS.legacy15] : [],
    type: facts.type,
    birthDate: facts.birthDate,
    age: facts.age,
    region: { code, province, prefecture, county, name, abolished, ...(successors ? { successors } : {}) },
  };
  if (facts.sex) report.sex = facts.sex;
  return report;
}

function inspectBankCard(value: string): InspectReport {
  const r = validateBankCard(value);
  const normalized = canonicalBankCard(value);
  if (!r.ok) {
    const report = invalidReport('bankCard', normalized, r.invalid);
    if (r.expectedLengths) report.expectedLengths = r.expectedLengths;
    return report;
  }
  const report: InspectReport = { kind: 'bankCard', valid: true, normalized, warnings: r.luhnWarning ? [WARNINGS.luhn] : [] };
  if (r.bank) report.bank = { code: r.bank.code, name: r.bank.name };
  if (r.type) report.cardType = r.type;
  return report;
}

function inspectPhone(value: string): InspectReport {
  const r = validatePhone(value);
  const normalized = canonicalPhone(value);
  if (!r.ok) return invalidReport('phone', normalized, r.invalid);
  const report: InspectReport = { kind: 'phone', valid: true, normalized, warnings: [], type: 'mobile' };
  if (r.carrier) report.carrier = r.carrier;
  return report;
}

/** 15 or 18 digits with a birth date's century where an ID number has it. */
const ID_SHAPED = /^(?:\d{6}(?:18|19|20)\d{9}[\dX]|\d{15})$/;

export function inspect(value: string, kind: InspectKind | undefined, now: Date): InspectReport {
  switch (kind ?? guessKind(value, now)) {
    case 'idNumber':
      return inspectIdNumber(value, now);
    case 'phone':
      return inspectPhone(value);
    default: {
      const card = inspectBankCard(value);
      // Invalid either way: an ID-shaped value is more likely a mistyped ID number, whose reason helps more.
      if (!kind && !card.valid && ID_SHAPED.test(canonicalIdNumber(value))) return inspectIdNumber(value, now);
      return card;
    }
  }
}

const KIND_TEXT: Record<InspectKind, string> = { idNumber: 'ID number', bankCard: 'bank card', phone: 'phone' };
const TYPE_TEXT: Record<string, string> = {
  resident: 'resident ID card (居民身份证)',
  residencePermit: 'residence permit for Hong Kong, Macau and Taiwan residents (港澳台居民居住证)',
  foreignPermanent2023: "foreigner's permanent residence ID card, 2023 format (外国人永久居留身份证)",
  foreignPermanent2017: "foreigner's permanent residence ID card, 2017 format (外国人永久居留身份证)",
  mobile: 'mainland mobile number',
};
const CARD_TYPE_TEXT: Record<CardType, string> = { DC: '借记卡 debit', CC: '贷记卡 credit', SCC: '准贷记卡 semi-credit', PC: '预付费卡 prepaid' };
const REASON_TEXT: Record<InvalidReason, string> = {
  empty: 'empty',
  length: 'wrong length',
  charset: 'character not allowed',
  checksum: 'check digit does not match',
  region: 'region code never existed',
  birthDate: 'birth date is not a real date between 1800-01-01 and today',
  luhn: 'Luhn check fails',
  dots: 'misplaced middle dot',
  type: 'does not fit the ID type',
  segment: 'not a mainland mobile segment in service',
  certificate: 'a certificate the check does not support',
};
const WARNING_TEXT: Record<string, string> = {
  [WARNINGS.luhn]: 'fails Luhn; accepted, as some UnionPay (62…) cards do',
  [WARNINGS.legacy15]: 'given in the 15-digit legacy form, converted to 18 digits',
};

/** The report as text lines for a terminal. */
export function formatInspect(report: InspectReport): string {
  const lines = [`${KIND_TEXT[report.kind]}: ${report.valid ? 'valid' : 'invalid'}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(11)} ${value}`);
  row('normalized', report.normalized);
  if (report.reason) {
    const at = report.position !== undefined ? ` (at character ${report.position})` : '';
    const expected = report.expectedLengths ? ` (this BIN has ${report.expectedLengths.join(' or ')} digits)` : '';
    row('reason', `${report.reason}: ${REASON_TEXT[report.reason]}${at}${expected}`);
  }
  if (report.type) row('type', TYPE_TEXT[report.type] ?? report.type);
  if (report.sex) row('sex', report.sex);
  if (report.birthDate) row('birth date', `${report.birthDate} (age ${report.age})`);
  if (report.region) {
    const { code, name, abolished, successors } = report.region;
    const status = abolished ? `, abolished${successors ? `, now ${successors.join(', ')}` : ''}` : '';
    row('region', `${code} ${name}${status}`);
  }
  if (report.bank) row('bank', `${report.bank.code} ${report.bank.name}`);
  if (report.cardType) row('card type', `${report.cardType} ${CARD_TYPE_TEXT[report.cardType]}`);
  if (report.carrier) row('carrier', `${report.carrier} (by segment; the number may have been ported)`);
  for (const w of report.warnings) row('warning', WARNING_TEXT[w] ?? w);
  return lines.join('\n');
}
