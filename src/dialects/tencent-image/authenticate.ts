import type { Refusal } from '../../access/refusal.ts';
import type { Services } from '../../service/types.ts';
import type { App } from '../../store/types.ts';
import type { CheckRequest } from './body.ts';
import { parseAuthorization, verifySignature, type ParsedSignature } from './signature.ts';
import type { SignatureMemo } from './signature-memo.ts';

/** `t` may run this far ahead of our clock; an `e=0` signature is good this far either side of `t`. */
export const CLOCK_SKEW_S = 5 * 60;
/** `e` may lie at most this far after `t`. */
export const MAX_LIFETIME_S = 90 * 24 * 60 * 60;

export type Authenticated = { ok: true; app: App; bucket: string } | { ok: false; refusal: Refusal; app?: App };

/**
 * The signature half of the dialect's order: 4/5 → 10 → 11 → 12 → 6 → 16 → 14 → 9 → 13.
 * The first failing step answers. `app` is returned with a refusal once it is known (for the audit record).
 */
export async function authenticate(
  services: Pick<Services, 'tenants' | 'nonces'>,
  header: string | string[] | undefined,
  request: CheckRequest,
  nowMs: number,
  memo?: SignatureMemo,
): Promise<Authenticated> {
  const now = Math.floor(nowMs / 1000);
  const known = memo?.recall(header);
  let signature: ParsedSignature;
  if (known) signature = known.signature;
  else {
    const parsed = parseAuthorization(header);
    if (!parsed.ok) return { ok: false, refusal: parsed.refusal };
    signature = parsed.signature;
  }
  const { fields } = signature;
  // Impossible times are a malformed signature (5), judged before any tenant is looked up.
  if (fields.issuedAt > now + CLOCK_SKEW_S) return { ok: false, refusal: 'timestamp_invalid' };
  if (fields.expiry !== 0 && fields.expiry - fields.issuedAt > MAX_LIFETIME_S) return { ok: false, refusal: 'timestamp_invalid' };

  const app = await services.tenants.app(fields.appid);
  if (!app) return { ok: false, refusal: 'app_unknown' };

  const secret = await services.tenants.secret(fields.secretId);
  if (!secret || secret.revoked) return refused('secret_unknown', app);
  if (secret.appid !== app.appid) return refused('secret_app_mismatch', app);

  if (fields.appid !== request.appid) return refused('target_mismatch', app);
  if (fields.bucket !== undefined && request.bucket !== undefined && fields.bucket !== request.bucket) {
    return refused('target_mismatch', app);
  }
  const bucket = fields.bucket ?? request.bucket ?? app.bucket;
  if (!app.buckets.includes(bucket)) return refused('bucket_unknown', app);

  if (known?.secretKey !== secret.secretKey) {
    if (!verifySignature(signature, secret.secretKey)) return refused('signature_invalid', app);
    memo?.remember(header, signature, secret.secretKey);
  }

  if (fields.expiry === 0) {
    if (Math.abs(now - fields.issuedAt) > CLOCK_SKEW_S) return refused('signature_expired', app);
    if (!(await claimSingleUse(services, signature, nowMs))) return refused('replayed', app);
  } else if (fields.expiry < now) {
    return refused('signature_expired', app);
  }
  return { ok: true, app, bucket };
}

/** A refusal once the app is known. A module function: tsx names closures, a defineProperty each per request. */
function refused(refusal: Refusal, app: App): Authenticated {
  return { ok: false, refusal, app };
}

/**
 * A single-use signature is remembered until it could no longer be accepted (t + 5 min, plus a second
 * for rounding) — so a `t` signed ahead of our clock cannot be replayed after a shorter memory lapses.
 * The key is the HMAC itself: it is unique per Original and reveals nothing without the key.
 */
function claimSingleUse(services: Pick<Services, 'nonces'>, signature: ParsedSignature, nowMs: number): Promise<boolean> {
  const ttlMs = (signature.fields.issuedAt + CLOCK_SKEW_S + 1) * 1000 - nowMs;
  return services.nonces.claim(`tencent-image:once:${signature.digest.toString('hex')}`, ttlMs, nowMs);
}
