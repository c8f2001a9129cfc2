import type { Refusal } from '../../access/refusal.ts';
import type { Factor } from '../../core/factors.ts';
import type { InvalidReason, Outcome } from '../../core/outcome.ts';

/**
 * The dialect's one code table: every error it answers is a row here, with the vendor's message
 * (English, as SUBMAIL sends it). 1216, 1220, 1224, 1242 and 1299 are ours for refusals the vendor
 * does not document. `meaning` is the English gloss the README table is generated from.
 */
export const CODE_TABLE = [
  { code: '1201', message: 'Incorrect APP ID', meaning: 'unknown appid' },
  { code: '1202', message: 'IP not in whitelist', meaning: "client address outside the app's IP allow-list" },
  { code: '1203', message: 'Your credits is not enough', meaning: 'quota used up' },
  { code: '1204', message: 'Invalid signature', meaning: 'the signature is not the SHA-256 of the signing string under the appkey' },
  { code: '1206', message: 'This APP has been disabled', meaning: 'the app is suspended' },
  { code: '1208', message: 'Invalid timestamp', meaning: '`timestamp` is not 10 digits (seconds) or 13 digits (milliseconds)' },
  { code: '1209', message: 'Lack of necessary parameters', meaning: 'a field missing, empty or ill-typed; a field sent twice; a broken or unsupported body' },
  { code: '1210', message: 'Empty APP ID', meaning: '`appid` missing or empty' },
  { code: '1212', message: 'Empty signature', meaning: '`signature` missing or empty' },
  { code: '1213', message: 'Timestamp timeout', meaning: '`timestamp` outside the window (default ±5 minutes)' },
  { code: '1215', message: 'IdCard length should be 18', meaning: 'invalid ID number (length, characters, checksum, region, birth date)' },
  { code: '1216', message: 'Request rate limit exceeded', meaning: "over the app's QPS (ours)" },
  { code: '1218', message: 'factor service disabled', meaning: "the check is not permitted for the app" },
  { code: '1220', message: 'Replayed signature', meaning: 'the signature was already used inside the timestamp window (ours; per-app switch)' },
  { code: '1222', message: 'Invalid name', meaning: 'invalid name (characters, length, dots, script)' },
  { code: '1223', message: 'Database Error', meaning: 'no source could answer (error or timeout)' },
  { code: '1224', message: 'Request body too large', meaning: 'body over the limit (default 16 KiB) (ours)' },
  { code: '1242', message: 'Invalid bank card number', meaning: 'invalid bank card number (length, characters, Luhn, BIN) (ours)' },
  { code: '1299', message: 'Internal error', meaning: 'unexpected fault, logged with the send id (ours)' },
] as const;

export type SubmailCode = (typeof CODE_TABLE)[number]['code'];

export interface ErrorAnswer {
  code: SubmailCode;
  msg: string;
}

const MESSAGES = new Map<string, string>(CODE_TABLE.map((row) => [row.code, row.message]));

function answer(code: SubmailCode): ErrorAnswer {
  return { code, msg: MESSAGES.get(code) as string };
}

/** The dialect's own refusal the shared list lacks: SUBMAIL tells an empty appid apart from an unknown one. */
export type SubmailRefusal = Refusal | 'appid_missing';

/** Every refusal, whichever layer raises it, has its code here. */
export const REFUSAL_CODES: Record<SubmailRefusal, SubmailCode> = {
  body_too_large: '1224',
  bad_request: '1209',
  appid_missing: '1210',
  signature_missing: '1212',
  signature_malformed: '1204',
  app_unknown: '1201',
  // The three below belong to key-pair dialects; SUBMAIL has one appkey per app, so they are signature faults.
  secret_unknown: '1204',
  secret_app_mismatch: '1204',
  target_mismatch: '1204',
  bucket_unknown: '1209',
  signature_invalid: '1204',
  signature_expired: '1213',
  timestamp_invalid: '1208',
  timestamp_expired: '1213',
  replayed: '1220',
  suspended: '1206',
  not_permitted: '1218',
  ip_denied: '1202',
  rate_limited: '1216',
  quota_exhausted: '1203',
  internal: '1299',
};

/** Offline rejects by field: the vendor has one code per field whatever the reason. */
export const INVALID_CODES: Record<Factor, { code: SubmailCode; byReason?: Partial<Record<InvalidReason, SubmailCode>> }> = {
  idNumber: { code: '1215' },
  name: { code: '1222' },
  bankCard: { code: '1242' },
  // No route of this dialect carries a phone; should one reach here it is a bad parameter.
  phone: { code: '1209' },
};

export function presentRefusal(refusal: SubmailRefusal): ErrorAnswer {
  return answer(REFUSAL_CODES[refusal]);
}

/** The error an outcome answers with, or undefined when it is a verdict (a success body). */
export function outcomeError(outcome: Outcome): ErrorAnswer | undefined {
  switch (outcome.verdict) {
    case 'match':
    case 'mismatch':
    case 'not_found':
      return undefined;
    case 'invalid': {
      if (!outcome.invalid) return answer('1209');
      const rule = INVALID_CODES[outcome.invalid.field];
      return answer(rule.byReason?.[outcome.invalid.reason] ?? rule.code);
    }
    case 'unavailable':
      return answer('1223');
  }
}

/** `bank_status` / `bank_msg` of /factor/idcard for each verdict. */
export const ID_STATUS = {
  match: { bank_status: '01', bank_msg: '核查一致' },
  mismatch: { bank_status: '02', bank_msg: '核查不一致' },
  not_found: { bank_status: '03', bank_msg: '库中无此身份证记录' },
} as const;

/** `remark` of /factor/card_three_auth for each verdict. */
export const CARD_REMARKS = {
  match: '认证信息匹配',
  mismatch: '认证信息不匹配',
  not_found: '库中无此身份证记录',
} as const;

/** `cardCategory` of /factor/card_three_auth by the BIN's card type. */
export const CARD_CATEGORIES = { DC: '借记卡', CC: '贷记卡', SCC: '准贷记卡', PC: '预付费卡' } as const;
