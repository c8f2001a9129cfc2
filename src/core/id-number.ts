/**
 * ID numbers (GB 11643-1999): resident ID cards, residence permits for Hong Kong, Macau and Taiwan
 * residents, and foreigners' permanent residence ID cards (2023 and 2017 formats).
 */
import type { Invalid, InvalidReason } from './outcome.ts';
import { ageOn, formatYmd, isRealDate, shanghaiToday } from './dates.ts';
import { isRegionCodeNumber, regionOfNumber, type Region } from './regions.ts';

export type IdType =
  /** 居民身份证 */
  | 'resident'
  /** 港澳台居民居住证 (810000, 820000, 830000) */
  | 'residencePermit'
  /** 外国人永久居留身份证, 2023 format: 18 digits, first digit 9 */
  | 'foreignPermanent2023'
  /** 外国人永久居留身份证, 2017 format: 3 letters + 12 digits */
  | 'foreignPermanent2017';

export interface IdFacts {
  type: IdType;
  /** Absent for the 2017 foreigner format, whose sequence digit is not documented as sex. */
  sex?: 'M' | 'F';
  /** YYYY-MM-DD */
  birthDate: string;
  age: number;
  /** The region named as in the birth year; for foreigners, the issuing province. */
  region: Region;
  /** The number was given in the 15-digit legacy form and converted. */
  legacy15: boolean;
}

export type IdNumberResult = { ok: true; idNumber: string; facts: IdFacts } | { ok: false; invalid: Invalid };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
const MIN_BIRTH = 18000101;
const ZERO = 48;

const isDigitCode = (c: number): boolean => c >= ZERO && c <= ZERO + 9;

/** ISO 7064 MOD 11-2 check character of the first 17 digits of `s`. */
export function checkCharacter(s: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - ZERO) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Legacy 15-digit number → 18 digits (century 19, computed check character). */
export function to18(id15: string): string {
  const body = id15.slice(0, 6) + '19' + id15.slice(6);
  return body + checkCharacter(body);
}

/** 18-digit number of a person born in the 1900s → its 15-digit legacy form (no check). */
export function to15(id18: string): string {
  return id18.slice(0, 6) + id18.slice(8, 17);
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}

/** Full-width digits and Latin letters → ASCII, letters upper-cased (x → X). */
function foldCharacters(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length && !needs; i++) {
    const c = s.charCodeAt(i);
    needs = c >= 0xff10 || (c >= 97 && c <= 122);
  }
  if (!needs) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if ((c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a)) c -= 0xfee0;
    if (c >= 97 && c <= 122) c -= 32;
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * The canonical form the registry hashes (must never drift): trimmed, full-width digits and letters
 * to ASCII, letters upper-case (x → X), 15 digits converted to 18.
 */
export function canonicalIdNumber(raw: string): string {
  const s = foldCharacters(raw.trim());
  return s.length === 15 && allDigits(s) ? to18(s) : s;
}

const fail = (reason: InvalidReason, position?: number): IdNumberResult => ({
  ok: false,
  invalid: position === undefined ? { field: 'idNumber', reason } : { field: 'idNumber', reason, position },
});

/** Integer value of the digits s[from, to). */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - ZERO);
  return n;
}

/** The birth date as YYYYMMDD if it is a real date from 1800-01-01 to today, else 0. */
function birthOrZero(y: number, m: number, d: number, today: number): number {
  if (!isRealDate(y, m, d)) return 0;
  const ymd = y * 10_000 + m * 100 + d;
  return ymd >= MIN_BIRTH && ymd <= today ? ymd : 0;
}

function facts(type: IdType, birth: number, today: number, region: Region, sexDigit: number, legacy15: boolean): IdFacts {
  const birthDate = formatYmd(birth);
  const age = ageOn(birth, today);
  // Each shape in one literal: adding `sex` afterwards would grow the object a second time.
  if (sexDigit < 0) return { type, birthDate, age, region, legacy15 };
  return { type, birthDate, age, region, legacy15, sex: sexDigit % 2 === 1 ? 'M' : 'F' };
}

function validate18(id: string, today: number, legacy15: boolean): IdNumberResult {
  let sum = 0; // checkCharacter's, in the same pass as the charset check
  for (let i = 0; i < 17; i++) {
    const c = id.charCodeAt(i);
    if (!isDigitCode(c)) return fail('charset', i + 1);
    sum += (c - ZERO) * WEIGHTS[i]!;
  }
  const last = id.charCodeAt(17);
  if (!isDigitCode(last) && last !== 88 /* X */) return fail('charset', 18);
  if (CHECK_CHARS.charCodeAt(sum % 11) !== last) return fail('checksum', 18);

  // The region is named as in the birth year, looked up once: before the birth date is checked,
  // since an unknown region is the earlier reason (a region for an impossible year is never used).
  const y = digitsAt(id, 6, 10);
  let type: IdType;
  let region: Region | undefined;
  if (id.charCodeAt(0) === ZERO + 9 && !legacy15) {
    // 9 + issuing province (2 digits) + nationality (3 digits): the region is the province.
    type = 'foreignPermanent2023';
    const regionCode = digitsAt(id, 1, 3) * 10_000;
    region = regionCode === 0 ? undefined : regionOfNumber(regionCode, y);
    if (!region) return fail('region', 2);
  } else {
    const regionCode = digitsAt(id, 0, 6);
    const province = Math.floor(regionCode / 10_000);
    type = province >= 81 && province <= 83 ? 'residencePermit' : 'resident';
    // Residence permits carry exactly the fixed codes 810000, 820000, 830000.
    region = type === 'residencePermit' && regionCode % 10_000 !== 0 ? undefined : regionOfNumber(regionCode, y);
    if (!region) return fail('region', 1);
  }
  const birth = birthOrZero(y, digitsAt(id, 10, 12), digitsAt(id, 12, 14), today);
  if (birth === 0) return fail('birthDate', 7);
  return { ok: true, idNumber: id, facts: facts(type, birth, today, region, id.charCodeAt(16) - ZERO, legacy15) };
}

/**
 * 2017 foreigner format: nationality (3 letters) + issuing office (4 digits, province first)
 * + birth date YYMMDD + sequence + check digit. The check algorithm is not public: not verified.
 */
function validate2017(id: string, today: number): IdNumberResult {
  for (let i = 0; i < 3; i++) {
    const c = id.charCodeAt(i);
    if (c < 65 || c > 90) return fail('charset', i + 1);
  }
  for (let i = 3; i < 15; i++) if (!isDigitCode(id.charCodeAt(i))) return fail('charset', i + 1);
  const regionCode = digitsAt(id, 3, 5) * 10_000;
  if (regionCode === 0 || !isRegionCodeNumber(regionCode)) return fail('region', 4);
  const yy = digitsAt(id, 7, 9);
  const m = digitsAt(id, 9, 11);
  const d = digitsAt(id, 11, 13);
  // Two-digit year: the latest century that does not put the birth date after today.
  const birth = birthOrZero(2000 + yy, m, d, today) || birthOrZero(1900 + yy, m, d, today);
  if (birth === 0) return fail('birthDate', 8);
  const region = regionOfNumber(regionCode, Math.floor(birth / 10_000))!;
  return { ok: true, idNumber: id, facts: facts('foreignPermanent2017', birth, today, region, -1, false) };
}

/** Validates an ID number as given by a user; `now` decides "today" in Asia/Shanghai. */
export function validateIdNumber(raw: string | undefined, now: Date): IdNumberResult {
  if (raw === undefined) return fail('empty');
  const s = foldCharacters(raw.trim());
  if (s.length === 0) return fail('empty');
  const today = shanghaiToday(now);
  if (s.length === 18) return validate18(s, today, false);
  if (s.length !== 15) return fail('length');
  if (allDigits(s)) return validate18(to18(s), today, true);
  const first = s.charCodeAt(0);
  if (first >= 65 && first <= 90) return validate2017(s, today);
  for (let i = 0; i < 15; i++) if (!isDigitCode(s.charCodeAt(i))) return fail('charset', i + 1);
  return fail('charset');
}
