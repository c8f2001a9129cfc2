import type { CheckKind } from '../core/factors.ts';
import type { App, RateLimiter } from '../store/types.ts';
import type { AccessRules, Clock } from '../service/types.ts';
import { parseCidrList, type AddressSet } from './cidr.ts';

/** Per-app access rules. Parsed allow-lists are cached by their text, so an app update takes effect at once. */
export function createAccessRules(rate: RateLimiter, clock: Clock): AccessRules {
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
    async takeRate(app: App): Promise<boolean> {
      if (app.qps === null) return true;
      return rate.take(`qps:${app.appid}`, app.qps, clock());
    },
  };
}
