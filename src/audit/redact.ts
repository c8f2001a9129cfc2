import type { Factors } from '../core/factors.ts';

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

export function maskFactors(factors: Factors): { name?: string; idNumber?: string; bankCard?: string; phone?: string } {
  const masked: { name?: string; idNumber?: string; bankCard?: string; phone?: string } = {};
  if (typeof factors.name === 'string') masked.name = maskName(factors.name);
  if (typeof factors.idNumber === 'string') masked.idNumber = maskIdNumber(factors.idNumber);
  if (typeof factors.bankCard === 'string') masked.bankCard = maskBankCard(factors.bankCard);
  if (typeof factors.phone === 'string') masked.phone = maskPhone(factors.phone);
  return masked;
}
