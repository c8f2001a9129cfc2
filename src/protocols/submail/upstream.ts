import type { CheckKind } from '../../core/index.ts';
import { MATCH, mismatch, VENDOR_ERROR, type VendorVerdict } from '../upstream.ts';
import { CARD_REMARKS, CODE_TABLE, ID_STATUS, type SubmailCode } from './codes.ts';

/**
 * SUBMAIL's answers as its client reads them. Every verdict is billed (一致, 不一致, 库中无此身份证记录);
 * every error code is unbilled, and another source may be asked after it.
 */
export const UPSTREAM_CODES: Readonly<Record<SubmailCode, VendorVerdict>> = Object.fromEntries(
  CODE_TABLE.map((row) => [row.code, VENDOR_ERROR]),
) as Record<SubmailCode, VendorVerdict>;

/** `/factor/idcard`'s bank_status. The vendor does not say which factor differs: the name is not the number's owner's. */
export const ID_STATUSES: Readonly<Record<string, VendorVerdict>> = {
  [ID_STATUS.match.bank_status]: MATCH,
  [ID_STATUS.mismatch.bank_status]: mismatch(['name']),
  [ID_STATUS.not_found.bank_status]: { verdict: 'not_found', billed: true },
};

/**
 * `/factor/card_three_auth`'s `identical`: "false" with the no-record remark is no record; any other
 * "false" is a mismatch of factors the vendor does not name (the card's state among them).
 */
function cardVerdict(result: Record<string, unknown>): { code: string; verdict: VendorVerdict } | undefined {
  if (result.identical === 'true') return { code: 'identical', verdict: MATCH };
  if (result.identical !== 'false') return undefined;
  if (result.remark === CARD_REMARKS.not_found) return { code: 'not_found', verdict: { verdict: 'not_found', billed: true } };
  return { code: 'not_identical', verdict: mismatch([]) };
}

/** An answer body's verdict, or undefined when the body is not one of the vendor's. */
export function readAnswer(kind: CheckKind, body: unknown): { code: string; verdict: VendorVerdict } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { status, code, result } = body as { status?: unknown; code?: unknown; result?: unknown };
  if (status === 'error') {
    const text = typeof code === 'number' ? String(code) : code;
    if (typeof text !== 'string') return undefined;
    return { code: text, verdict: UPSTREAM_CODES[text as SubmailCode] ?? VENDOR_ERROR };
  }
  if (status !== 'success' || typeof result !== 'object' || result === null) return undefined;
  const fields = result as Record<string, unknown>;
  if (kind === 'idcard2') {
    const s = fields.bank_status;
    const verdict = typeof s === 'string' ? ID_STATUSES[s] : undefined;
    return verdict ? { code: `bank_status ${s}`, verdict } : undefined;
  }
  return cardVerdict(fields);
}
