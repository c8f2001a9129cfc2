import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { CheckKind, Factors } from '../../core/factors.ts';
import type { Outcome } from '../../core/outcome.ts';
import type { Auditor, Services } from '../../service/types.ts';
import { recordAnswer } from './audit.ts';

/** What is known about a request so far; the error handler answers and audits from it. */
export interface Exchange {
  checkId: string;
  startedAt: number;
  kind: CheckKind;
  appid: string | null;
  factors: Factors;
  outcome?: Outcome;
}

export interface ExchangeSlot<E extends Exchange> {
  set(request: FastifyRequest, exchange: E): void;
  get(request: FastifyRequest): E | undefined;
}

/**
 * Where a dialect keeps each request's exchange: a request decoration of its own context. A WeakMap
 * keyed by request would make every entry an ephemeron that each young-generation GC has to trace.
 */
export function exchangeSlot<E extends Exchange>(instance: FastifyInstance): ExchangeSlot<E> {
  instance.decorateRequest('exchange', null);
  type Slotted = FastifyRequest & { exchange: E | null };
  return {
    set: (request, exchange) => {
      (request as Slotted).exchange = exchange;
    },
    get: (request) => (request as Slotted).exchange ?? undefined,
  };
}

/** A request's exchange from its first moment: the check id and start time come from the services. */
export function startExchange(services: Pick<Services, 'newCheckId' | 'clock'>, kind: CheckKind): Exchange {
  return { checkId: services.newCheckId(), startedAt: services.clock(), kind, appid: null, factors: {} };
}

/** Audits an exchange as answered with the dialect's own `code`. */
export function auditExchange(auditor: Auditor, log: FastifyBaseLogger, dialect: string, exchange: Exchange, code: string): void {
  recordAnswer(auditor, log, {
    checkId: exchange.checkId,
    appid: exchange.appid,
    dialect,
    kind: exchange.kind,
    factors: exchange.factors,
    outcome: exchange.outcome,
    code,
    startedAt: exchange.startedAt,
  });
}
