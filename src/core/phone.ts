/**
 * Mainland mobile numbers, with or without +86, validated with libphonenumber-js (mobile metadata).
 * The carrier is a hint from the number segment only: number portability moves numbers between carriers.
 */
import { isValidPhoneNumber } from 'libphonenumber-js/mobile';
import type { Invalid, InvalidReason } from './outcome.ts';

export type PhoneResult = { ok: true; phone: string; carrier?: string } | { ok: false; invalid: Invalid };

const SEPARATORS = /[\s\-()\uff08\uff09\uff0d]/g;
const WITH_COUNTRY_CODE = /^(?:\+|00)?86(1\d{10})$/;

/** The canonical form the registry hashes (must never drift): 11 digits, no +86, no separators. */
export function canonicalPhone(raw: string): string {
  let s = raw.replace(SEPARATORS, '');
  if (/[\uff10-\uff19\uff0b]/.test(s)) {
    s = s.replace(/[\uff10-\uff19\uff0b]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  }
  const m = WITH_COUNTRY_CODE.exec(s);
  return m ? m[1]! : s;
}

const MOBILE = '中国移动';
const UNICOM = '中国联通';
const TELECOM = '中国电信';
const BROADNET = '中国广电';
const mvno = (host: string): string => `${host}（虚拟运营商）`;

/** Segments (first 3 digits, or 4 where a 3-digit segment is split) as assigned by MIIT. */
const SEGMENTS: Record<string, string> = {
  '130': UNICOM, '131': UNICOM, '132': UNICOM, '133': TELECOM, '134': MOBILE, '1349': TELECOM,
  '135': MOBILE, '136': MOBILE, '137': MOBILE, '138': MOBILE, '139': MOBILE,
  '141': TELECOM, '145': UNICOM, '146': UNICOM, '147': MOBILE, '148': MOBILE, '149': TELECOM,
  '150': MOBILE, '151': MOBILE, '152': MOBILE, '153': TELECOM, '155': UNICOM, '156': UNICOM,
  '157': MOBILE, '158': MOBILE, '159': MOBILE,
  '162': mvno(TELECOM), '165': mvno(MOBILE), '166': UNICOM, '167': mvno(UNICOM),
  '1700': mvno(TELECOM), '1701': mvno(TELECOM), '1702': mvno(TELECOM), '1703': mvno(MOBILE),
  '1704': mvno(UNICOM), '1705': mvno(MOBILE), '1706': mvno(MOBILE), '1707': mvno(UNICOM),
  '1708': mvno(UNICOM), '1709': mvno(UNICOM), '171': mvno(UNICOM),
  '172': MOBILE, '173': TELECOM, '174': TELECOM, '175': UNICOM, '176': UNICOM, '177': TELECOM, '178': MOBILE,
  '180': TELECOM, '181': TELECOM, '182': MOBILE, '183': MOBILE, '184': MOBILE, '185': UNICOM,
  '186': UNICOM, '187': MOBILE, '188': MOBILE, '189': TELECOM,
  '190': TELECOM, '191': TELECOM, '192': BROADNET, '193': TELECOM, '195': MOBILE, '196': UNICOM,
  '197': MOBILE, '198': MOBILE, '199': TELECOM,
};

/** The carrier that was assigned the number's segment (a hint: the number may have been ported). */
export function carrierOf(phone: string): string | undefined {
  return SEGMENTS[phone.slice(0, 4)] ?? SEGMENTS[phone.slice(0, 3)];
}

const fail = (reason: InvalidReason, position?: number): PhoneResult => ({
  ok: false,
  invalid: position === undefined ? { field: 'phone', reason } : { field: 'phone', reason, position },
});

/**
 * libphonenumber's verdict on a plain 11-digit number starting with 1, remembered by its first five
 * digits: its CN mobile pattern (e.g. 1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|…)\d{8}) decides on
 * at most those. A prefix is learned from libphonenumber itself (its lowest and highest numbers); a
 * prefix whose two answers differ (a future metadata that looks further) is asked about every number.
 * Same verdicts, at a table lookup's cost (imports run 1M+ rows).
 */
const UNKNOWN = 0;
const VALID = 1;
const INVALID = 2;
const ASK = 3;
const PREFIX_VERDICT = new Uint8Array(10_000);

function learnPrefix(prefix: string): number {
  const low = isValidPhoneNumber(`${prefix}000000`, 'CN');
  const high = isValidPhoneNumber(`${prefix}999999`, 'CN');
  if (low !== high) return ASK;
  return low ? VALID : INVALID;
}

/** For 11 ASCII digits starting with 1. */
function isMobileNumber(phone: string): boolean {
  let index = 0;
  for (let i = 1; i < 5; i++) index = index * 10 + phone.charCodeAt(i) - 48;
  let verdict = PREFIX_VERDICT[index]!;
  if (verdict === UNKNOWN) verdict = PREFIX_VERDICT[index] = learnPrefix(phone.slice(0, 5));
  return verdict === ASK ? isValidPhoneNumber(phone, 'CN') : verdict === VALID;
}

export function validatePhone(raw: string | undefined): PhoneResult {
  if (raw === undefined) return fail('empty');
  const phone = canonicalPhone(raw);
  if (phone.length === 0) return fail('empty');
  for (let i = 0; i < phone.length; i++) {
    const c = phone.charCodeAt(i);
    if (c < 48 || c > 57) return fail('charset', i + 1);
  }
  if (phone.length !== 11) return fail('length');
  // Not a mobile segment in service (libphonenumber's metadata) → the number cannot exist.
  if (phone.charCodeAt(0) !== 49 || !isMobileNumber(phone)) return fail('segment', 1);
  const carrier = carrierOf(phone);
  return carrier === undefined ? { ok: true, phone } : { ok: true, phone, carrier };
}
