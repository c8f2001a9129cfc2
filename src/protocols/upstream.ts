import type { Factor } from '../core/index.ts';

/**
 * What one of a vendor's codes means to us when we are its client: the shape of every vendor's upstream
 * table (`src/protocols/<vendor>/upstream.ts`), kept as data. `billed` is whether the vendor charges us
 * for the answer ("upstream cost"); `next` whether asking another source is safe after it (nothing was
 * billed and nothing was decided).
 */
export type VendorVerdict =
  | { verdict: 'match' | 'not_found'; billed: boolean }
  | { verdict: 'mismatch'; mismatched: readonly Factor[]; billed: boolean }
  | { verdict: 'unavailable'; billed: false; next: boolean };

export const MATCH = { verdict: 'match', billed: true } as const satisfies VendorVerdict;

/** A vendor error that cost nothing: the next source may be asked. */
export const VENDOR_ERROR = { verdict: 'unavailable', billed: false, next: true } as const satisfies VendorVerdict;

export const mismatch = (mismatched: readonly Factor[], billed = true): VendorVerdict => ({ verdict: 'mismatch', mismatched, billed });
