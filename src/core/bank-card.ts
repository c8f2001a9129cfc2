/**
 * Bank card numbers: digits; length per the BIN table, else 15–19; Luhn enforced except for
 * domestic UnionPay cards (62…), where not every valid card satisfies it (a warning instead).
 */
import type { Invalid, InvalidReason } from './outcome.ts';
import { binLengths, findBin, type Bank, type CardType } from './bins.ts';

export type BankCardResult =
  | { ok: true; bankCard: string; bank?: Bank; type?: CardType; luhnWarning: boolean }
  | { ok: false; invalid: Invalid; expectedLengths?: number[] };

const MIN_LENGTH = 15;
const MAX_LENGTH = 19;
const SEPARATORS = /[\s\-\u2010-\u2015\uff0d]/g;

/** The canonical form the registry hashes (must never drift): no spaces or hyphens, ASCII digits. */
export function canonicalBankCard(raw: string): string {
  if (isAsciiDigits(raw)) return raw;
  const s = raw.replace(SEPARATORS, '');
  return /[\uff10-\uff19]/.test(s) ? s.replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)) : s;
}

function isAsciiDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Luhn (mod 10) over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  // From the right, every second digit doubled (10–18 counted as their digit sum, minus 9): two
  // strided loops, so no flag alternates and the doubling has no branch to mispredict.
  for (let i = digits.length - 1; i >= 0; i -= 2) sum += digits.charCodeAt(i) - 48;
  for (let i = digits.length - 2; i >= 0; i -= 2) {
    const d = digits.charCodeAt(i) - 48;
    sum += d * 2 - (d > 4 ? 9 : 0);
  }
  return sum % 10 === 0;
}

/** The digit that makes `body` + digit Luhn-valid. */
export function luhnCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return String(d);
  throw new Error('unreachable');
}

const fail = (reason: InvalidReason, position?: number): BankCardResult => ({
  ok: false,
  invalid: position === undefined ? { field: 'bankCard', reason } : { field: 'bankCard', reason, position },
});

export function validateBankCard(raw: string | undefined): BankCardResult {
  if (raw === undefined) return fail('empty');
  const card = canonicalBankCard(raw);
  if (card.length === 0) return fail('empty');
  for (let i = 0; i < card.length; i++) {
    const c = card.charCodeAt(i);
    if (c < 48 || c > 57) return fail('charset', i + 1);
  }
  const bin = findBin(card);
  if (!bin) {
    const expected = binLengths(card);
    if (expected) return { ok: false, invalid: { field: 'bankCard', reason: 'length' }, expectedLengths: expected };
    if (card.length < MIN_LENGTH || card.length > MAX_LENGTH) return fail('length');
  }
  const luhn = luhnValid(card);
  const unionPay = card.charCodeAt(0) === 54 && card.charCodeAt(1) === 50;
  if (!luhn && !unionPay) return fail('luhn', card.length);
  if (!bin) return { ok: true, bankCard: card, luhnWarning: !luhn };
  return { ok: true, bankCard: card, bank: bin.bank, type: bin.type, luhnWarning: !luhn };
}
