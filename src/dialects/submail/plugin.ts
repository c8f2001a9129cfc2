import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseCidrList } from '../../access/cidr.ts';
import type { CheckKind } from '../../core/factors.ts';
import type { Services } from '../../service/types.ts';
import { requestClientIp } from '../shared/client.ts';
import { describeError } from '../shared/errors.ts';
import { auditExchange, type Exchange as BaseExchange, exchangeSlot, startExchange } from '../shared/exchange.ts';
import { authenticate, DEFAULT_TIMESTAMP_WINDOW_MS } from './authenticate.ts';
import { parseJsonBody, parseMultipartBody, parseUrlencodedBody, UNSUPPORTED, type BodyParse } from './body.ts';
import { outcomeError, presentRefusal, type ErrorAnswer, type SubmailRefusal } from './codes.ts';
import { CONTENT_TYPES, formatOf, render, type Format } from './format.ts';
import { cardResult, idcardResult } from './present.ts';
import { readCheckRequest } from './request.ts';

export const DIALECT = 'submail';

/** The vendor's check routes (each also as `.json` and `.xml`) and the check each one runs. */
export const ROUTES: ReadonlyArray<{ url: string; kind: CheckKind }> = [
  { url: '/factor/idcard', kind: 'idcard2' },
  { url: '/factor/card_three_auth', kind: 'bankcard3' },
];
export const FORMAT_SUFFIXES = ['', '.json', '.xml'] as const;

export interface SubmailOptions {
  /** How far `timestamp` may lie from our clock, either side (default 5 minutes). */
  timestampWindowMs?: number;
}

/** SUBMAIL answers in the format its route names (.json, .xml or neither). */
interface Exchange extends BaseExchange {
  format: Format;
}

type Answer = { error: ErrorAnswer } | { result: Record<string, string> };

/**
 * The SUBMAIL dialect (POST /factor/idcard, /factor/card_three_auth; GET /service/timestamp). Register it
 * in its own encapsulated context: it replaces the content-type parsers and the error handler of that
 * context. Every answer is HTTP 200: `{"status":"success","result":…,"send_id":…}` or
 * `{"status":"error","code":…,"msg":…}`, as JSON or (on `.xml` routes) XML.
 */
export function submailDialect(services: Services, options: SubmailOptions = {}): FastifyPluginAsync {
  const windowMs = options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS;
  const trustedProxies = parseCidrList(services.trustProxy);

  function respond(request: FastifyRequest, reply: FastifyReply, exchange: Exchange, answer: Answer): FastifyReply {
    auditExchange(services.auditor, request.log, DIALECT, exchange, 'error' in answer ? answer.error.code : 'success');
    const body =
      'error' in answer
        ? { status: 'error', code: answer.error.code, msg: answer.error.msg }
        : { status: 'success', result: answer.result, send_id: exchange.checkId };
    return reply.code(200).type(CONTENT_TYPES[exchange.format]).send(render(exchange.format, body));
  }

  // Made once, not a closure per request: tsx keeps function names, a defineProperty for each one made.
  function refuse(request: FastifyRequest, reply: FastifyReply, exchange: Exchange, refusal: SubmailRefusal): FastifyReply {
    return respond(request, reply, exchange, { error: presentRefusal(refusal) });
  }

  async function check(request: FastifyRequest, reply: FastifyReply, exchange: Exchange): Promise<FastifyReply> {
    const now = services.clock();

    const read = readCheckRequest(exchange.kind, request.body as BodyParse | undefined);
    exchange.factors = read.ok ? read.request.factors : read.factors;
    if (!read.ok) return refuse(request, reply, exchange, read.refusal);

    const auth = await authenticate(services, read.request, requestClientIp(request, trustedProxies), now, windowMs);
    if (auth.app) exchange.appid = auth.app.appid;
    if (!auth.ok) return refuse(request, reply, exchange, auth.refusal);
    const app = auth.app;

    if (app.suspended) return refuse(request, reply, exchange, 'suspended');
    if (!services.access.permitted(app, exchange.kind)) return refuse(request, reply, exchange, 'not_permitted');
    // The verifier spends the QPS (answering rate_limited first), so nobody without the app's key can.
    const result = await services.verifier.verify({ checkId: exchange.checkId, app, kind: exchange.kind, factors: exchange.factors });
    if ('refusal' in result) return refuse(request, reply, exchange, result.refusal);
    const outcome = result.outcome;
    exchange.outcome = outcome;
    const error = outcomeError(outcome);
    if (error) return respond(request, reply, exchange, { error });
    const verdict = outcome.verdict as 'match' | 'mismatch' | 'not_found';
    const body = exchange.kind === 'idcard2' ? idcardResult(verdict, exchange.factors, new Date(now)) : cardResult(verdict, outcome);
    return respond(request, reply, exchange, { result: body });
  }

  return async (instance) => {
    const exchanges = exchangeSlot<Exchange>(instance);
    const limits = { bodyLimit: services.bodyLimit };
    // Our parsers never throw: the route answers 1209 in its place in the order. Fastify still enforces
    // the body limit while reading (→ 1224, before any parsing), for every content type alike.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('application/json', { parseAs: 'buffer', ...limits }, (_req, body, done) => {
      done(null, parseJsonBody(body as Buffer));
    });
    instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', ...limits }, (_req, body, done) => {
      done(null, parseUrlencodedBody(body as Buffer));
    });
    instance.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', ...limits }, (req, body, done) => {
      void parseMultipartBody(body as Buffer, req.headers).then((parsed) => done(null, parsed));
    });
    instance.addContentTypeParser('*', { parseAs: 'buffer', ...limits }, (_req, _body, done) => {
      done(null, UNSUPPORTED);
    });

    function newExchange(kind: CheckKind, url: string | undefined): Exchange {
      return { ...startExchange(services, kind), format: formatOf(url) };
    }

    instance.setErrorHandler((error: FastifyError, request, reply) => {
      const exchange = exchanges.get(request) ?? newExchange('idcard2', request.routeOptions.url);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(request, reply, exchange, 'body_too_large');
      // Framework-level rejections of the request itself (bad Content-Type or Content-Length header).
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return refuse(request, reply, exchange, 'bad_request');
      request.log.error({ sessionId: exchange.checkId, error: describeError(error) }, 'submail: internal error');
      return refuse(request, reply, exchange, 'internal');
    });

    for (const route of ROUTES) {
      for (const suffix of FORMAT_SUFFIXES) {
        const url = route.url + suffix;
        instance.route({
          method: 'POST',
          url,
          ...limits,
          onRequest: (request, _reply, done) => {
            exchanges.set(request, newExchange(route.kind, url));
            done();
          },
          handler: (request, reply) => check(request, reply, exchanges.get(request) ?? newExchange(route.kind, url)),
        });
      }
    }

    // The vendor's demos fetch the server time before signing (from api.mysubmail.com).
    for (const suffix of FORMAT_SUFFIXES) {
      const format = formatOf(suffix);
      instance.get(`/service/timestamp${suffix}`, (_request, reply) => {
        reply.type(CONTENT_TYPES[format]).send(render(format, { timestamp: Math.floor(services.clock() / 1000) }));
      });
    }
  };
}
