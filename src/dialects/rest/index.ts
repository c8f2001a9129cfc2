import { BILL_EVERY_VERDICT } from '../../core/index.ts';
import { defineDialect, type CodeRow } from '../define.ts';
import { parseJsonBody, parseOtherBody } from './body.ts';
import { createDecide } from './decide.ts';
import { present } from './present.ts';
import { PROBLEMS, problemType } from './problems.ts';
import { readRoute, REST_DIALECT } from './read.ts';
import { docsRoutes } from './docs.ts';
import { batchRoutes } from './batches.ts';
import { CHECK, PROBLEM } from './schemas.ts';

/** README's table: every problem type, its status and when it is answered. */
const CODES: readonly CodeRow[] = Object.entries(PROBLEMS).map(([name, p]) => ({ code: problemType(name as keyof typeof PROBLEMS), message: `${p.status} ${p.title}`, meaning: p.when }));

/**
 * Realname's own API, /v1: JSON in, the core's Outcome out, Bearer API keys (`realname apps keys add`),
 * RFC 9457 problems with statuses that mean what they say, Idempotency-Key. Every source verdict is billed.
 */
export const rest = defineDialect({
  name: REST_DIALECT,
  routes: [{ url: '/v1/checks', kind: null }],
  parsers: { 'application/json': parseJsonBody, '*': parseOtherBody },
  codes: CODES,
  billing: BILL_EVERY_VERDICT,
  defaults: {},
  decider: (services, _options, billing) => createDecide(services, billing),
  present,
  responseSchemas: { 200: CHECK, '4xx': PROBLEM, '5xx': PROBLEM },
  extraRoutes: (instance, services) => {
    readRoute(instance, services);
    docsRoutes(instance);
    batchRoutes(instance, services);
  },
});
