/**
 * Person names: Han characters of every CJK block (astral ones included) with U+00B7 between the
 * parts of minority names; Latin-letter names only for holders of a foreigner's permanent residence ID.
 */
import type { Invalid, InvalidReason } from './outcome.ts';

/** The 2016 national rule lets name fields hold 50 characters (code points). */
export const MAX_NAME_LENGTH = 50;
export const MIDDLE_DOT = '\u00b7';

export type NameScript = 'han' | 'latin';
export type NameResult = { ok: true; name: string; script: NameScript } | { ok: false; invalid: Invalid };

/** Dots people type or paste in place of U+00B7 (• ・ ． ‧ ⋅ ･ .). */
const LOOK_ALIKE_DOTS = /[\u2022\u30fb\uff0e\u2027\u22c5\uff65.]/g;
const HAN_NAME = /^\p{Script=Han}+(?:\u00b7\p{Script=Han}+)*$/u;
const HAN = /^\p{Script=Han}$/u;
const LATIN_LETTER = /^(?=\p{Script=Latin})\p{L}$/u;
const LATIN_MARK = /^\p{M}$/u;

/**
 * The canonical form the registry hashes (must never drift): NFC, trimmed, look-alike dots folded
 * to U+00B7. A Latin name's full stop becomes U+00B7 too, so "J. Smith" and "J· Smith" are one name.
 */
export function canonicalName(raw: string): string {
  return raw.normalize('NFC').trim().replace(LOOK_ALIKE_DOTS, MIDDLE_DOT);
}

const fail = (reason: InvalidReason, position?: number): NameResult => ({
  ok: false,
  invalid: position === undefined ? { field: 'name', reason } : { field: 'name', reason, position },
});

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Han mode: characters and dots one by one, for a precise reason and position. */
function explainHan(chars: string[]): NameResult {
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === MIDDLE_DOT) {
      if (i === 0 || i === chars.length - 1 || chars[i - 1] === MIDDLE_DOT) return fail('dots', i + 1);
    } else if (!HAN.test(ch)) {
      return fail('charset', i + 1);
    }
  }
  return fail('charset');
}

/** Latin mode: letters (with their accents), space, hyphen, apostrophe and the folded full stop. */
function checkLatin(chars: string[], name: string, allowLatin: boolean): NameResult {
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ' || ch === '-' || ch === "'" || ch === MIDDLE_DOT) continue;
    if (!LATIN_LETTER.test(ch) && !(i > 0 && LATIN_MARK.test(ch))) return fail('charset', i + 1);
  }
  // Only a foreigner's permanent residence ID goes with a Latin-letter name.
  return allowLatin ? { ok: true, name, script: 'latin' } : fail('type');
}

/**
 * Validates a name as given by a user. `allowLatin`: the ID number is a foreigner's permanent
 * residence number, so a Latin-letter name is acceptable.
 */
export function validateName(raw: string | undefined, allowLatin = false): NameResult {
  if (raw === undefined) return fail('empty');
  const name = canonicalName(raw);
  if (name.length === 0) return fail('empty');
  if (name.length > MAX_NAME_LENGTH && codePointLength(name) > MAX_NAME_LENGTH) return fail('length');
  if (HAN_NAME.test(name)) return { ok: true, name, script: 'han' };
  const chars = [...name];
  if (LATIN_LETTER.test(chars[0]!)) return checkLatin(chars, name, allowLatin);
  return explainHan(chars);
}
