import type { App, NonceStore } from '../store/types.ts';

/**
 * Single-use signatures, for every dialect alike: a protocol that defines them (the image service's
 * `e=0`, SUBMAIL's signed timestamp) names a token per signature and how long it could still be
 * accepted; while the app's replay guard is on (the default), a token is good once in that time.
 * Multi-use signatures never reach here.
 */
export interface ReplayGuard {
  /** True the first time; false while the token is remembered. Always true when the app's guard is off. */
  once(dialect: string, app: App, token: string, ttlMs: number, nowMs: number): Promise<boolean>;
}

const ALWAYS = Promise.resolve(true);

export function createReplayGuard(nonces: NonceStore): ReplayGuard {
  return {
    once(dialect, app, token, ttlMs, nowMs) {
      if (!app.replayGuard) return ALWAYS;
      // Per dialect and app: a token (a digest of the signed text) reveals nothing without the key.
      return nonces.claim(`replay:${dialect}:${app.appid}:${token}`, ttlMs, nowMs);
    },
  };
}
