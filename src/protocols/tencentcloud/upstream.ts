/**
 * FaceID's answers as its client reads them: the vendor-code table of the `tencentcloud` source (Tencent
 * Cloud itself) and of the `realname` source (another Realname node speaking this dialect). Built from
 * the Result tables in results.ts — the vendor's billed column decides what we were charged — and from
 * the error meanings in errors.ts. Every Error envelope is unbilled, and another source may be asked.
 */
import type { CheckKind, Factor, Factors } from '../../core/index.ts';
import { MATCH, mismatch, VENDOR_ERROR, type VendorVerdict } from '../upstream.ts';
import { ACTIONS, ACTION_NAMES, type ActionName } from './actions.ts';
import { errorMeaningOf, type ReceivedErrorMeaning } from './errors.ts';
import { HOLDER, mismatchedOfDetail, resultDetailFor, resultRow, type ResultRow } from './results.ts';

/** Whom a FaceID client asks: Tencent Cloud, or a Realname node (which documents its own use of each Result). */
export type FaceidPeer = 'tencentcloud' | 'realname';

/** The action asking each kind (one action a kind). */
export const ACTION_OF_KIND = Object.fromEntries(ACTION_NAMES.map((a) => [ACTIONS[a].kind, a])) as Record<CheckKind, ActionName>;

/**
 * An action's request body for canonical factors, in the action's field order (undefined when a factor it
 * needs is missing). Nothing optional is sent — no CertType (0 is the default), no encryption — except
 * PhoneVerification's VerifyMode where given.
 */
export function requestBody(action: ActionName, factors: Factors, verifyMode?: '0' | '1'): Record<string, string> | undefined {
  const body: Record<string, string> = {};
  for (const p of ACTIONS[action].params) {
    if (!('factor' in p)) continue;
    const value = factors[p.factor];
    if (value === undefined) return undefined;
    body[p.name] = value;
  }
  if (verifyMode !== undefined && action === 'PhoneVerification') body.VerifyMode = verifyMode;
  return body;
}

/**
 * What a Result row means to the client, by the vendor's billed column:
 * - a mismatch names the factor where the vendor does (IdCard -1: the name; PhoneVerification: its ResultDetail);
 * - a card's state (lost, expired, restricted …) is a billed mismatch on the card, never a no-record that
 *   would fall through to a second paid vendor. Tencent Cloud's 持卡人信息有误 is one of them (its own
 *   不一致 examples answer it); a Realname node answers it only for "no record of the card or holder",
 *   billed, as its README says — so from a Realname it is read as that;
 * - invalid input (the vendor judged a factor we found valid), 服务繁忙, the vendor's daily limit and an
 *   unsupported certificate type or phone segment are unbilled errors: the next source may be asked.
 */
export function resultVerdict(row: ResultRow, peer: FaceidPeer, mismatched?: readonly Factor[]): VendorVerdict {
  const m = row.meaning;
  switch (m.verdict) {
    case 'match':
      return row.billed ? MATCH : { verdict: 'match', billed: false };
    case 'mismatch':
      return mismatch(mismatched ?? m.mismatched ?? [], row.billed);
    case 'not_found':
      if (row.description === HOLDER && peer === 'tencentcloud') return mismatch(['bankCard'], row.billed);
      return { verdict: 'not_found', billed: row.billed };
    case 'card_state':
      return mismatch(['bankCard'], row.billed);
    case 'invalid':
    case 'unavailable':
    case 'daily_limit':
    case 'unsupported':
      return VENDOR_ERROR;
  }
}

/**
 * PhoneVerification's ResultDetail as a list of factors. A Realname writes it from its registry's record
 * (the ID number's owner: it names the name, the phone, or both — resultDetailFor), so from a Realname it
 * reads back exactly; from Tencent Cloud it is read as the vendor words it (mismatchedOfDetail).
 */
export function detailFactors(detail: unknown, peer: FaceidPeer): readonly Factor[] | undefined {
  if (typeof detail !== 'string') return undefined;
  if (peer === 'realname') {
    for (const set of REALNAME_PHONE_MISMATCHES) if (resultDetailFor(set) === detail) return set;
  }
  return mismatchedOfDetail(detail);
}

/** The factor sets a Realname's phone3 mismatch can name (its record is the ID number's owner). */
const REALNAME_PHONE_MISMATCHES: readonly (readonly Factor[])[] = [['name'], ['phone'], ['name', 'phone']];

/**
 * Why an Error envelope gave no verdict: the vendor cannot answer now (`unavailable`), or it refused our
 * request — credentials, account, permission, its rate or quota limits, the request's form (`refused`).
 * Either way nothing was billed and nothing was decided: the next source may be asked.
 */
export const ERROR_READINGS: Readonly<Record<ReceivedErrorMeaning, 'unavailable' | 'refused'>> = {
  internal: 'unavailable',
  unavailable: 'unavailable',
  failed: 'unavailable',
  unknown: 'unavailable',
  body_too_large: 'refused',
  authorization_missing: 'refused',
  authorization_malformed: 'refused',
  secret_unknown: 'refused',
  credentials_rejected: 'refused',
  timestamp_missing: 'refused',
  timestamp_invalid: 'refused',
  signature_expired: 'refused',
  signature_invalid: 'refused',
  action_missing: 'refused',
  action_unknown: 'refused',
  version_missing: 'refused',
  version_unknown: 'refused',
  body_invalid: 'refused',
  parameter_missing: 'refused',
  parameter_invalid: 'refused',
  parameter_unknown: 'refused',
  parameter_value_invalid: 'refused',
  encryption_unsupported: 'refused',
  decrypt_failed: 'refused',
  unsupported: 'refused',
  suspended: 'refused',
  not_permitted: 'refused',
  unauthorized: 'refused',
  ip_denied: 'refused',
  rate_limited: 'refused',
  quota_exhausted: 'refused',
};

export interface FaceidReading {
  /** What the ledger and the log line record: `Action/Result`, or the Error's Code. */
  code: string;
  verdict: VendorVerdict;
  /** For an Error envelope: why it gave no verdict. */
  error?: 'unavailable' | 'refused';
}

/** A Result the table lacks: the vendor may have billed it, so it is no answer and no other source is asked. */
const UNKNOWN_RESULT: VendorVerdict = { verdict: 'unavailable', billed: false, next: false };

/**
 * An answer body's verdict, or undefined when the body is not the API 3.0 envelope
 * `{"Response":{"Result"…}}` / `{"Response":{"Error":{"Code"…}}}` (garbage: nothing was decided).
 */
export function readAnswer(action: ActionName, body: unknown, peer: FaceidPeer): FaceidReading | undefined {
  const response = typeof body === 'object' && body !== null ? (body as { Response?: unknown }).Response : undefined;
  if (typeof response !== 'object' || response === null) return undefined;
  const { Result, Error: error, ResultDetail } = response as { Result?: unknown; Error?: unknown; ResultDetail?: unknown };
  if (typeof error === 'object' && error !== null) {
    const code = (error as { Code?: unknown }).Code;
    if (typeof code !== 'string' || code === '') return undefined;
    return { code, verdict: VENDOR_ERROR, error: ERROR_READINGS[errorMeaningOf(code)] };
  }
  if (typeof Result !== 'string') return undefined;
  const code = `${action}/${Result}`;
  const row = resultRow(action, Result);
  if (!row) return { code, verdict: UNKNOWN_RESULT };
  const named = action === 'PhoneVerification' && row.meaning.verdict === 'mismatch' ? detailFactors(ResultDetail, peer) : undefined;
  return { code, verdict: resultVerdict(row, peer, named) };
}
