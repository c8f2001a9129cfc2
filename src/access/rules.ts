import type { CheckKind } from '../core/factors.ts';
import type { App } from '../store/types.ts';
import type { AccessRules } from './types.ts';
import { parseCidrList, type AddressSet } from './cidr.ts';

/**
 * Per-app access rules. Parsed allow-lists are cached by their text, so an app update takes effect at once.
 * The QPS limit is spent by the verifier, in the same store write as the quota.
 */
export function createAccessRules(): AccessRules {
  const allowLists = new Map<string, AddressSet>();
  return {
    ipAllowed(app: App, clientIp: string): boolean {
      if (!app.ipAllow || app.ipAllow.length === 0) return true;
      const key = app.ipAllow.join(',');
      let set = allowLists.get(key);
      if (!set) {
        set = parseCidrList(app.ipAllow);
        allowLists.set(key, set);
      }
      return set.has(clientIp);
    },
    permitted(app: App, kind: CheckKind): boolean {
      return app.checks === null || app.checks.includes(kind);
    },
  };
}
