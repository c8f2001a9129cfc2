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
  let dots = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (isLookAlikeDot(c)) dots = true;
    else if (!isNfcInert(c)) return raw.normalize('NFC').trim().replace(LOOK_ALIKE_DOTS, MIDDLE_DOT);
  }
  // Already NFC (normalize() would copy it anyway); without a look-alike dot nothing is replaced.
  const trimmed = raw.trim();
  return dots ? trimmed.replace(LOOK_ALIKE_DOTS, MIDDLE_DOT) : trimmed;
}

/** The code units LOOK_ALIKE_DOTS matches. */
function isLookAlikeDot(c: number): boolean {
  return c === 0x2e || c === 0x2022 || c === 0x2027 || c === 0x22c5 || c === 0x30fb || c === 0xff0e || c === 0xff65;
}

/**
 * Characters NFC leaves alone wherever they stand (NFC_QC=Yes and combining class 0, so a string of
 * them passes the UAX #15 quick check): everything below U+0300, the ideographic space, CJK Unified
 * Ideographs and Extension A. Compatibility ideographs (U+F900…) and combining marks are not among them.
 */
function isNfcInert(c: number): boolean {
  return c < 0x300 || c === 0x3000 || isCommonHan(c);
}

/** CJK Unified Ideographs and Extension A: Script=Han, every code point assigned, untouched by NFC. */
function isCommonHan(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);
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
 * HAN_NAME without the regular expression for the names nearly everyone has: common Han characters,
 * parts joined by single U+00B7. False means "ask HAN_NAME", never "not a name".
 */
function isCommonHanName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0xb7) {
      if (i === 0 || i === name.length - 1 || name.charCodeAt(i - 1) === 0xb7) return false;
    } else if (!isCommonHan(c)) {
      return false;
    }
  }
  return true;
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
  if (isCommonHanName(name) || HAN_NAME.test(name)) return { ok: true, name, script: 'han' };
  const chars = [...name];
  if (LATIN_LETTER.test(chars[0]!)) return checkLatin(chars, name, allowLatin);
  return explainHan(chars);
}
