import type { ParsedSignature } from '../../protocols/tencent-image/signature.ts';

/** Room for this many signatures; past it the oldest is forgotten (it is verified again when it returns). */
const CAPACITY = 4096;
/** Longer headers are not remembered: a vendor signature is ~150 characters; memory stays bounded. */
const MAX_HEADER = 1024;

export interface Verified {
  signature: ParsedSignature;
  /** The secret key the HMAC was verified with. */
  secretKey: string;
}

/**
 * Verified multi-use signatures (`e` > 0): clients sign once and send the same header, byte for byte,
 * until it expires, so parsing and HMAC-checking it again on every request is wasted work. A header is
 * remembered only after it verified, so junk never fills this; a remembered one is trusted again only
 * under the same secret key. Everything else — expiry, the secret's revocation, appid and bucket — is
 * still judged on every request. Single-use signatures (`e=0`) are never remembered: each is new.
 */
export class SignatureMemo {
  private readonly verified = new Map<string, Verified>();

  recall(header: string | string[] | undefined): Verified | undefined {
    return typeof header === 'string' ? this.verified.get(header) : undefined;
  }

  remember(header: string | string[] | undefined, signature: ParsedSignature, secretKey: string): void {
    if (typeof header !== 'string' || header.length > MAX_HEADER || signature.fields.expiry === 0) return;
    if (this.verified.size >= CAPACITY) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(header, { signature, secretKey });
  }
}
