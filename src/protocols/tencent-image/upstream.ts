import { MATCH, mismatch, VENDOR_ERROR, type VendorVerdict } from '../upstream.ts';
import type { TencentImageCode } from './codes.ts';

/**
 * Every code of the image service's table as its client reads it. The vendor bills match, mismatch and
 * no record (-5807); everything else is an error it does not bill, after which another source may be
 * asked: our credentials or account (3–16, 24, 25), its rate limit (15), its own faults (107, 108, 213),
 * or its refusal of input we found valid (-5804, -5806, -5808, 21, 23).
 */
export const UPSTREAM_CODES: Readonly<Record<TencentImageCode, VendorVerdict>> = {
  0: MATCH,
  [-5803]: mismatch(['name']),
  [-5809]: mismatch(['bankCard']),
  [-5807]: { verdict: 'not_found', billed: true },
  [-5804]: VENDOR_ERROR,
  [-5806]: VENDOR_ERROR,
  [-5808]: VENDOR_ERROR,
  3: VENDOR_ERROR,
  4: VENDOR_ERROR,
  5: VENDOR_ERROR,
  6: VENDOR_ERROR,
  9: VENDOR_ERROR,
  10: VENDOR_ERROR,
  11: VENDOR_ERROR,
  12: VENDOR_ERROR,
  13: VENDOR_ERROR,
  14: VENDOR_ERROR,
  15: VENDOR_ERROR,
  16: VENDOR_ERROR,
  21: VENDOR_ERROR,
  23: VENDOR_ERROR,
  24: VENDOR_ERROR,
  25: VENDOR_ERROR,
  107: VENDOR_ERROR,
  108: VENDOR_ERROR,
  213: VENDOR_ERROR,
};

/** An answer body's verdict, or undefined when the body is not the vendor's `{code, message, data}`. */
export function readAnswer(body: unknown): { code: string; verdict: VendorVerdict } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  // A code the table lacks is the vendor's, unbilled (it documents billing for verdicts only).
  return { code: String(code), verdict: UPSTREAM_CODES[code as TencentImageCode] ?? VENDOR_ERROR };
}
