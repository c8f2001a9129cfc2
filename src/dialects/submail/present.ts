import type { Refused, Refusal } from '../../access/index.ts';
import type { Factor, InvalidReason, Outcome, SourceVerdict } from '../../core/index.ts';
import { CARD_CATEGORIES, CARD_REMARKS, ID_STATUS, messageOf, type SubmailCode } from '../../protocols/submail/codes.ts';
import type { Exchange, WireAnswer } from '../define.ts';
import { CONTENT_TYPES, formatOf, render } from './format.ts';

/** Every refusal of the gate has its code here. */
export const REFUSAL_CODES: Record<Refusal, SubmailCode> = {
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
  // SUBMAIL has no operations, versions or encryption of its own: a request naming them lacks what it needs.
  action_unknown: '1209',
  version_unknown: '1209',
  parameter_missing: '1209',
  parameter_invalid: '1209',
  parameter_unknown: '1209',
  parameter_value_invalid: '1209',
  encryption_unsupported: '1209',
  suspended: '1206',
  not_permitted: '1218',
  ip_denied: '1202',
  rate_limited: '1216',
  // Not in this dialect's order; an identity checked too often is answered as calls too frequent.
  daily_limited: '1216',
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


/** The ID number as the vendor echoes it: first 4 and last 4 kept, an `x` for each digit between. */
export function maskIdNumber(idNumber: string): string {
  const chars = [...idNumber.trim()];
  if (chars.length <= 8) return 'x'.repeat(chars.length);
  return chars.slice(0, 4).join('') + 'x'.repeat(chars.length - 8) + chars.slice(-4).join('');
}

/** The name as the vendor echoes it: the first character and `xx`, whatever the length. */
export function maskName(name: string): string {
  const [first] = name.trim().normalize('NFC');
  return first === undefined ? '' : `${first}xx`;
}

/** YYYY-MM-DD → YYYY年MM月DD日 */
function chineseDate(ymd: string): string {
  const [y, m, d] = ymd.split('-');
  return `${y}年${m}月${d}日`;
}

/**
 * The `result` of /factor/idcard for a verdict. Sex, birthday and area were read from the ID number
 * by the core's validation (every valid kind of number, the 15-digit form and residence permits included).
 */
export function idcardResult(verdict: SourceVerdict, outcome: Outcome, factors: Exchange['factors']): Record<string, string> {
  const subject = outcome.subject;
  return {
    bank_msg: ID_STATUS[verdict].bank_msg,
    bank_idCard: maskIdNumber(factors.idNumber ?? ''),
    bank_name: maskName(factors.name ?? ''),
    bank_sex: subject?.sex === 'M' ? '男' : subject?.sex === 'F' ? '女' : '',
    bank_area: subject?.region.name ?? '',
    bank_birthday: subject ? chineseDate(subject.birthDate) : '',
    bank_status: ID_STATUS[verdict].bank_status,
  };
}

/** The `result` of /factor/card_three_auth: whether the three belong together, and the card's BIN facts. */
export function cardResult(verdict: SourceVerdict, outcome: Outcome): Record<string, string> {
  const type = outcome.card?.type;
  return {
    identical: verdict === 'match' ? 'true' : 'false',
    bankName: outcome.card?.bank?.name ?? '',
    cardCategory: type ? CARD_CATEGORIES[type] : '',
    remark: CARD_REMARKS[verdict],
  };
}

export interface ErrorAnswer {
  code: SubmailCode;
  msg: string;
}

function errorAnswer(code: SubmailCode): ErrorAnswer {
  return { code, msg: messageOf(code) };
}

export function presentRefusal(refusal: Refusal): ErrorAnswer {
  return errorAnswer(REFUSAL_CODES[refusal]);
}

/** The error an outcome answers with, or undefined when it is a verdict (a success body). */
export function outcomeError(outcome: Outcome): ErrorAnswer | undefined {
  switch (outcome.verdict) {
    case 'invalid': {
      const rule = INVALID_CODES[outcome.invalid.field];
      return errorAnswer(rule.byReason?.[outcome.invalid.reason] ?? rule.code);
    }
    case 'unavailable':
      return errorAnswer('1223');
    default:
      return undefined;
  }
}

/**
 * Every answer is HTTP 200, in the format the route names: `{"status":"success","result":…,"send_id":…}`
 * for a verdict, `{"status":"error","code":…,"msg":…}` otherwise. A verdict is audited as "success".
 */
export function present(decision: Refused | { outcome: Outcome }, exchange: Exchange): WireAnswer {
  const format = formatOf(exchange.route);
  const contentType = CONTENT_TYPES[format];
  const refused = (e: ErrorAnswer): WireAnswer => ({ code: e.code, contentType, payload: render(format, { status: 'error', code: e.code, msg: e.msg }) });
  if (!('outcome' in decision)) return refused(presentRefusal(decision.refusal));
  const outcome = decision.outcome;
  switch (outcome.verdict) {
    case 'invalid':
    case 'unavailable':
      return refused(outcomeError(outcome)!);
    default: {
      const result = exchange.kind === 'idcard2' ? idcardResult(outcome.verdict, outcome, exchange.factors) : cardResult(outcome.verdict, outcome);
      return { code: 'success', contentType, payload: render(format, { status: 'success', result, send_id: exchange.checkId }) };
    }
  }
}
