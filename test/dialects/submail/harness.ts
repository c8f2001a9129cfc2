import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { NewApp } from '../../../src/access/tenants.ts';
import type { CheckKind, Factors } from '../../../src/core/factors.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { validateFactors } from '../../../src/core/validate.ts';
import { submailDialect, type SubmailOptions } from '../../../src/dialects/submail/plugin.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import type { AuditEntry, Services, VerifyResult } from '../../../src/service/types.ts';
import { openStore } from '../../../src/store/index.ts';
import type { AppPatch } from '../../../src/store/types.ts';
import type { SubmailApp } from '../../helpers/submail.ts';

/**
 * A dialect-level harness: the real plugin, tenants, access rules, rate limiter and replay memory
 * (the in-memory store) on a loopback server, with a scripted verifier. It pins parsing, signatures,
 * codes and their order; test/e2e/submail.test.ts runs the assembled house on SQLite.
 */

export type Answerer = (request: { kind: CheckKind; factors: Factors; checkId: string }) => VerifyResult | Promise<VerifyResult>;

export const BASE_TIME = Date.UTC(2024, 5, 1, 12, 0, 0);

export function outcome(kind: CheckKind, checkId: string, fields: Partial<Outcome>): Outcome {
  return { checkId, kind, verdict: 'match', source: 'fake', billed: true, ...fields };
}

/** Validates offline as the core does, then answers `verdict` with the facts validation derived. */
export function validating(verdict: 'match' | 'mismatch' | 'not_found' = 'match'): Answerer {
  return ({ kind, checkId, factors }) => {
    const v = validateFactors(kind, factors, new Date(BASE_TIME));
    if (!v.ok) return { outcome: outcome(kind, checkId, { verdict: 'invalid', invalid: v.invalid, billed: false, source: 'validation' }) };
    const fields: Partial<Outcome> = { verdict, ...(v.subject ? { subject: v.subject } : {}), ...(v.card ? { card: v.card } : {}) };
    if (verdict === 'mismatch') fields.mismatched = ['name'];
    return { outcome: outcome(kind, checkId, fields) };
  };
}

export const matchAll: Answerer = validating('match');

export interface Harness {
  url: string;
  services: Services;
  clock: { now: number };
  audit: AuditEntry[];
  logs: string[];
  verifierCalls: () => number;
  answer: (answerer: Answerer) => void;
  addApp: (spec?: Partial<NewApp>) => Promise<SubmailApp>;
  updateApp: (appid: string, patch: AppPatch) => Promise<void>;
  close: () => Promise<void>;
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
  const audit: AuditEntry[] = [];
  let answerer: Answerer = matchAll;
  let calls = 0;
  const services: Services = {
    ...house,
    verifier: {
      // The real verifier spends the QPS first (1216 before the verdict, whatever the input); so does this one.
      async verify({ checkId, app, kind, factors }) {
        if (app.qps !== null && !(await store.rate.take(`qps:${app.appid}`, app.qps, clock.now))) return { refusal: 'rate_limited' };
        calls++;
        return answerer({ checkId, kind, factors });
      },
    },
    auditor: { record: (entry) => void audit.push(entry) },
  };

  const logs: string[] = [];
  const server = Fastify({ logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } } });
  await server.register(submailDialect(services, options.plugin));
  await server.listen({ host: '127.0.0.1', port: 0 });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    services,
    clock,
    audit,
    logs,
    verifierCalls: () => calls,
    answer: (a) => {
      answerer = a;
    },
    async addApp(spec = {}) {
      const created = await house.tenants.create({ name: 'submail test', ...spec });
      return { appid: created.appid, appkey: created.appkey };
    },
    async updateApp(appid, patch) {
      await house.tenants.update(appid, patch);
    },
    async close() {
      await server.close();
      await store.close();
    },
  };
}
