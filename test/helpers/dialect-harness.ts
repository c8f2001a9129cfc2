import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyPluginAsync, LogController } from 'fastify';
import type { CheckKind, Factors } from '../../src/core/factors.ts';
import type { Outcome } from '../../src/core/outcome.ts';
import type { CheckPath, Refused } from '../../src/access/index.ts';
import type { AuditEntry, Auditor } from '../../src/audit/types.ts';
import type { Services } from '../../src/service/types.ts';
import type { RateLimiter } from '../../src/store/types.ts';
import { randomBytes } from 'node:crypto';
import { ApiKeys } from '../../src/access/api-keys.ts';
import { createAuditReader } from '../../src/audit/reader.ts';
import { StoreKeys } from '../../src/keys/ring.ts';
import { createIdempotency } from '../../src/service/idempotency.ts';
import { memoryApiKeys, memoryIdempotency } from '../../src/store/memory-rest.ts';

/** What the REST dialect alone reads: the vendor dialects' harnesses are given real ones over memory. */
type RestServices = 'audit' | 'apiKeys' | 'idempotency';

function restServices(clock: () => number): Pick<Services, RestServices> {
  return {
    audit: createAuditReader({ query: async () => [] }),
    apiKeys: new ApiKeys(memoryApiKeys(), randomBytes(32), clock),
    idempotency: createIdempotency(memoryIdempotency(), StoreKeys.single(randomBytes(32)).sealer, randomBytes(32), clock),
  };
}

/**
 * What every dialect-level harness shares: a fixed clock, a scripted verifier, an audit list and
 * the real plugin on a loopback server whose error log the test can read. Each dialect's harness
 * adds its tenants, its credentials and its request helpers.
 */

/** What a test sees of every dialect harness; each adds how it makes and changes apps. */
export interface DialectHarness {
  url: string;
  services: Services;
  /** The injected clock, ms since the epoch; tests move it. */
  clock: { now: number };
  audit: AuditEntry[];
  /** Every log line the server wrote (error level and above). */
  logs: string[];
  /** How many times the verifier was asked. */
  verifierCalls: () => number;
  answer: (answerer: Answerer) => void;
  close: () => Promise<void>;
}

export const BASE_TIME = Date.UTC(2024, 5, 1, 12, 0, 0);

/** What the core's steps answer: an outcome, or the counters' refusal. */
export type VerifyResult = { outcome: Outcome } | Refused;

export type Answerer = (request: { kind: CheckKind; factors: Factors; checkId: string }) => VerifyResult | Promise<VerifyResult>;

export function outcome(kind: CheckKind, checkId: string, fields: Partial<Outcome>): Outcome {
  return { checkId, kind, verdict: 'match', source: 'fake', billed: true, ...fields } as Outcome;
}

/**
 * A verifier that answers as the test scripts it. Like the real one, it spends the app's QPS first
 * (rate_limited before the verdict, whatever the input).
 */
function scriptedVerifier(rate: RateLimiter, now: () => number, first: Answerer) {
  let answerer = first;
  let calls = 0;
  const verifier: CheckPath = {
    async verify({ checkId, app, kind, factors }) {
      if (app.qps !== null && !(await rate.take(`qps:${app.appid}`, app.qps, now()))) return { refusal: 'rate_limited' };
      calls++;
      return answerer({ checkId, kind, factors });
    },
  };
  return {
    verifier,
    /** How many times the verifier was asked (past the QPS). */
    calls: () => calls,
    answer: (a: Answerer) => {
      answerer = a;
    },
  };
}

/** Every entry the dialect audited, in order. */
function auditList(): { audit: AuditEntry[]; auditor: Auditor } {
  const audit: AuditEntry[] = [];
  return { audit, auditor: { record: (entry) => void audit.push(entry) } };
}

/** The plugin on 127.0.0.1 (any free port); `logs` has every line logged at error level and above. */
async function listen(plugin: FastifyPluginAsync): Promise<{ url: string; logs: string[]; close: () => Promise<void> }> {
  const logs: string[] = [];
  const server = Fastify({
    logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } },
    logController: new LogController({ disableRequestLogging: true }),
  });
  await server.register(plugin);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const port = (server.server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, logs, close: () => server.close() };
}

/**
 * Serves `plugin` over the given house (tenants, access rules, nonces…) with a scripted verifier,
 * first answering as `first`, that spends QPS on `rate` at the house's clock.
 */
export async function serveDialect(o: {
  clock: { now: number };
  house: Omit<Services, 'verifier' | 'auditor' | RestServices>;
  rate: RateLimiter;
  first: Answerer;
  plugin: (services: Services) => FastifyPluginAsync;
}): Promise<DialectHarness> {
  const { audit, auditor } = auditList();
  const scripted = scriptedVerifier(o.rate, o.house.clock, o.first);
  const services: Services = { ...o.house, verifier: scripted.verifier, auditor, ...restServices(o.house.clock) };
  const server = await listen(o.plugin(services));
  return {
    url: server.url,
    services,
    clock: o.clock,
    audit,
    logs: server.logs,
    verifierCalls: scripted.calls,
    answer: scripted.answer,
    close: server.close,
  };
}
