import type { Services } from '../../service/types.ts';
import type { App } from '../../store/types.ts';
import type { SubmailRefusal } from './codes.ts';
import type { SubmailRequest } from './request.ts';
import { signatureMatches, signingStrings } from './signature.ts';

/** How far a timestamp may lie from our clock, either side, unless the plugin is told otherwise. */
export const DEFAULT_TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

export type Authenticated = { ok: true; app: App } | { ok: false; refusal: SubmailRefusal; app?: App };

/**
 * The tenant half of the dialect's order: 1201 → 1202 → 1213 → 1204 → 1220. The first failing step
 * answers; `app` comes back with a refusal once it is known (for the audit record).
 */
export async function authenticate(
  services: Pick<Services, 'tenants' | 'access' | 'nonces'>,
  request: SubmailRequest,
  clientIp: string,
  nowMs: number,
  windowMs: number,
): Promise<Authenticated> {
  const app = await services.tenants.app(request.appid);
  if (!app) return { ok: false, refusal: 'app_unknown' };
  const refuse = (refusal: SubmailRefusal): Authenticated => ({ ok: false, refusal, app });

  if (!services.access.ipAllowed(app, clientIp)) return refuse('ip_denied');
  if (Math.abs(nowMs - request.timestampMs) > windowMs) return refuse('timestamp_expired');

  const candidates = signingStrings(services.tenants.appkey(app), request.signed, request.encodedName);
  if (!signatureMatches(request.signature, candidates)) return refuse('signature_invalid');

  if (app.replayGuard) {
    // Remembered until the timestamp leaves the window (plus a second for rounding): after that the
    // signature is refused as expired anyway. The key is the digest: it reveals nothing without the appkey.
    const ttlMs = request.timestampMs + windowMs + 1000 - nowMs;
    const key = `submail:sig:${app.appid}:${request.signature.toLowerCase()}`;
    if (!(await services.nonces.claim(key, ttlMs, nowMs))) return refuse('replayed');
  }
  return { ok: true, app };
}
