import { randomBytes } from 'node:crypto';
import type { NewApp } from '../../../src/access/tenants.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { validateFactors } from '../../../src/core/validate.ts';
import { submail, type SubmailOptions } from '../../../src/dialects/submail/index.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import { openStore } from '../../../src/store/index.ts';
import type { AppPatch } from '../../../src/store/types.ts';
import { type Answerer, BASE_TIME, type DialectHarness, outcome, serveDialect } from '../../helpers/dialect-harness.ts';
import type { SubmailApp } from '../../helpers/submail.ts';

/**
 * A dialect-level harness: the real plugin, tenants, access rules, rate limiter and replay memory
 * (the in-memory store) on a loopback server, with a scripted verifier. It pins parsing, signatures,
 * codes and their order; test/e2e/submail.test.ts runs the assembled house on SQLite.
 */

export { BASE_TIME, outcome, type Answerer };

/** Validates offline as the core does, then answers `verdict` with the facts validation derived. */
export function validating(verdict: 'match' | 'mismatch' | 'not_found' = 'match'): Answerer {
  return ({ kind, checkId, factors }) => {
    const v = validateFactors(kind, factors, new Date(BASE_TIME));
    if (!v.ok) return { outcome: outcome(kind, checkId, { verdict: 'invalid', invalid: v.invalid, billed: false, source: 'validation' }) };
    const fields = { verdict, ...(v.subject ? { subject: v.subject } : {}), ...(v.card ? { card: v.card } : {}) } as Partial<Outcome>;
    if (verdict === 'mismatch') Object.assign(fields, { mismatched: ['name'] });
    return { outcome: outcome(kind, checkId, fields) };
  };
}

export const matchAll: Answerer = validating('match');

export interface Harness extends DialectHarness {
  addApp: (spec?: Partial<NewApp>) => Promise<SubmailApp>;
  updateApp: (appid: string, patch: AppPatch) => Promise<void>;
}

export async function startHarness(
  options: { trustProxy?: string[]; bodyLimit?: number; plugin?: SubmailOptions } = {},
): Promise<Harness> {
  const clock = { now: BASE_TIME };
  const store = openStore({ kind: 'memory' });
  const house = assembleServices({
    store,
    masterKey: randomBytes(32),
    clock: () => clock.now,
    trustProxy: options.trustProxy ?? [],
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  const base = await serveDialect({
    clock,
    house,
    rate: store.rate,
    first: matchAll,
    plugin: (services) => submail.plugin(services, options.plugin),
  });

  // App names are unique in a store: each app of a test gets its own.
  let apps = 0;
  return {
    ...base,
    async addApp(spec = {}) {
      const created = await house.tenants.create({ name: `submail test ${++apps}`, ...spec });
      return { appid: created.appid, appkey: created.appkey };
    },
    async updateApp(appid, patch) {
      await house.tenants.update(appid, patch);
    },
    async close() {
      await base.close();
      await store.close();
    },
  };
}
