import { parseCidrList } from '../../access/cidr.ts';
import type { Services } from '../../service/types.ts';
import { requestClientIp, type ClientRequest } from '../shared/client.ts';
import type { Exchange } from '../shared/exchange.ts';
import { authenticate } from './authenticate.ts';
import { readCheckRequest, type BodyParse } from './body.ts';
import { presentOutcome, presentRefusal, type Answer } from './codes.ts';
import { SignatureMemo } from './signature-memo.ts';

/** What the dialect reads of a request once its body is parsed (a Fastify request is one). */
export interface CheckArrival extends ClientRequest {
  body: unknown;
}

export type Decide = (request: CheckArrival, exchange: Exchange) => Promise<Answer>;

/**
 * The dialect's answer to a parsed request, in its documented order of checks, with no HTTP in it:
 * the plugin wires it to the routes, the bench drives it in-process. `exchange` collects what the
 * audit record needs.
 */
export function createDecide(services: Services): Decide {
  const trustedProxies = parseCidrList(services.trustProxy);
  const signatures = new SignatureMemo();
  return async (request, exchange) => {
    const read = readCheckRequest(exchange.kind, request.body as BodyParse | undefined);
    if (!read.ok) {
      exchange.factors = read.factors;
      return presentRefusal('bad_request');
    }
    exchange.factors = read.request.factors;

    const auth = await authenticate(services, request.headers.authorization, read.request, services.clock(), signatures);
    if (auth.app) exchange.appid = auth.app.appid;
    if (!auth.ok) return presentRefusal(auth.refusal);
    const app = auth.app;

    if (app.suspended) return presentRefusal('suspended');
    if (!services.access.permitted(app, exchange.kind)) return presentRefusal('not_permitted');
    const ip = requestClientIp(request, trustedProxies);
    if (!services.access.ipAllowed(app, ip)) return presentRefusal('ip_denied');
    // The verifier spends the QPS (answering rate_limited first), so nobody without the app's key can.
    const result = await services.verifier.verify({
      checkId: exchange.checkId,
      app,
      kind: exchange.kind,
      factors: exchange.factors,
    });
    if ('refusal' in result) return presentRefusal(result.refusal);
    exchange.outcome = result.outcome;
    return presentOutcome(result.outcome);
  };
}
