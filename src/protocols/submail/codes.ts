/**
 * SUBMAIL's error table: every error code its factor API (and Realname's dialect of it) answers is a row here, with the vendor's message
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
  { code: '1242', message: 'Invalid bank card number', meaning: 'invalid bank card number (length, characters, BIN, Luhn but for UnionPay 62… cards) (ours)' },
  { code: '1299', message: 'Internal error', meaning: 'unexpected fault, logged with the send id (ours)' },
] as const;

export type SubmailCode = (typeof CODE_TABLE)[number]['code'];

const MESSAGES = new Map<string, string>(CODE_TABLE.map((row) => [row.code, row.message]));

/** The message the vendor sends with a code. */
export function messageOf(code: SubmailCode): string {
  return MESSAGES.get(code) as string;
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

/** Unix time as 10 digits (seconds) or 13 digits (milliseconds), in milliseconds; undefined otherwise. */
export function parseTimestamp(text: string): number | undefined {
  if (/^\d{10}$/.test(text)) return Number(text) * 1000;
  if (/^\d{13}$/.test(text)) return Number(text);
  return undefined;
}

