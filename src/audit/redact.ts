import { canonicalBankCard } from '../core/bank-card.ts';
import type { Factors } from '../core/factors.ts';
import { canonicalIdNumber } from '../core/id-number.ts';
import { validateName } from '../core/name.ts';
import { canonicalPhone } from '../core/phone.ts';

/**
 * Masked forms for the audit log and any message a person may read: enough to recognise a record,
 * never enough to recover the value. Input may be raw (invalid) text, so masking works on code points.
 */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return '';
  if (!SURROGATE.test(trimmed)) return trimmed[0] + '*'.repeat(Math.max(1, trimmed.length - 1));
  const chars = [...trimmed];
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** 1101**********1234: region prefix and last four kept. */
export function maskIdNumber(idNumber: string): string {
  return keepEnds(idNumber.trim(), 4, 4);
}

/** 622202******1234: BIN (6) and last four kept, as card receipts do. */
export function maskBankCard(card: string): string {
  return keepEnds(card.replace(/[\s-]/g, ''), 6, 4);
}

/** 138****1234 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+?86/, '').trim();
  return keepEnds(digits, 3, 4);
}

/** Text without surrogates has one UTF-16 unit per code point: it can be sliced as it is (every check does). */
const SURROGATE = /[\uD800-\uDFFF]/;

function keepEnds(value: string, head: number, tail: number): string {
  if (!SURROGATE.test(value)) {
    if (value.length <= head + tail) return '*'.repeat(value.length);
    return value.slice(0, head) + '*'.repeat(value.length - head - tail) + value.slice(value.length - tail);
  }
  const chars = [...value];
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(-tail).join('');
}

export type MaskedFactors = { name?: string; idNumber?: string; bankCard?: string; phone?: string };

/** 18 characters (the last may be X) — 15-digit numbers are already converted — or the 2017 foreigner's format. */
const ID_SHAPE = /^(?:\d{17}[\dX]|[A-Z]{3}\d{12})$/;
const CARD_SHAPE = /^\d{12,19}$/;
const PHONE_SHAPE = /^1\d{10}$/;

/**
 * What the audit log keeps of a request's factors. A value is masked by position only once it has the
 * factor's shape (in its canonical form); anything else — a name pasted after an ID number, multipart
 * junk, control characters — keeps no character at all, only its length and class: `<invalid, 21 chars, mixed>`.
 * Positional masking of free text would keep whatever happens to stand at the kept positions.
 */
export function maskFactors(factors: Factors): MaskedFactors {
  const masked: MaskedFactors = {};
  if (typeof factors.name === 'string') masked.name = maskShaped(factors.name, maskValidName);
  if (typeof factors.idNumber === 'string') masked.idNumber = maskShaped(factors.idNumber, (v) => shaped(canonicalIdNumber(v), ID_SHAPE, maskIdNumber));
  if (typeof factors.bankCard === 'string') masked.bankCard = maskShaped(factors.bankCard, (v) => shaped(canonicalBankCard(v), CARD_SHAPE, maskBankCard));
  if (typeof factors.phone === 'string') masked.phone = maskShaped(factors.phone, (v) => shaped(canonicalPhone(v), PHONE_SHAPE, maskPhone));
  return masked;
}

/** Empty stays empty (nothing to hide); a value of the factor's shape is masked; anything else is a length. */
function maskShaped(value: string, mask: (value: string) => string | undefined): string {
  if (value.trim() === '') return '';
  return mask(value) ?? `<invalid, ${codePoints(value)} chars, ${characterClass(value)}>`;
}

/** What kind of characters a value is made of — digits, latin, han, or mixed — never which ones. */
function characterClass(value: string): string {
  if (/^\d+$/.test(value)) return 'digits';
  if (/^[A-Za-z]+$/.test(value)) return 'latin';
  if (/^\p{Script=Han}+$/u.test(value)) return 'han';
  return 'mixed';
}

function shaped(canonical: string, shape: RegExp, mask: (value: string) => string): string | undefined {
  return shape.test(canonical) ? mask(canonical) : undefined;
}

/** Any name the validator accepts (Han, or Latin as a foreigner's), in its canonical form. */
function maskValidName(value: string): string | undefined {
  const valid = validateName(value, true);
  return valid.ok ? maskName(valid.name) : undefined;
}

function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}
