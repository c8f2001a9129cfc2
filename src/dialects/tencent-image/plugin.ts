import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CheckKind } from '../../core/factors.ts';
import type { Services } from '../../service/types.ts';
import { describeError } from '../shared/errors.ts';
import { auditExchange, type Exchange, exchangeSlot, startExchange } from '../shared/exchange.ts';
import { parseJsonBody, UNSUPPORTED } from './body.ts';
import { presentRefusal, type Answer } from './codes.ts';
import { createDecide } from './decide.ts';

export const DIALECT = 'tencent-image';

/** The vendor's routes and the check each one runs. */
export const ROUTES: ReadonlyArray<{ url: string; kind: CheckKind }> = [
  { url: '/auth/idcard', kind: 'idcard2' },
  { url: '/auth/idbankcard', kind: 'bankcard3' },
];

const RESPONSE_SCHEMA = {
  200: {
    type: 'object',
    required: ['code', 'message', 'data'],
    additionalProperties: false,
    properties: {
      code: { type: 'integer' },
      message: { type: 'string' },
      data: {
        type: 'object',
        required: ['session_id'],
        additionalProperties: false,
        properties: { session_id: { type: 'string' } },
      },
    },
  },
} as const;

/**
 * The Tencent image-service dialect (POST /auth/idcard, /auth/idbankcard). Register it in its own
 * encapsulated context: it replaces the content-type parsers and the error handler of that context.
 * Every answer is HTTP 200 with the vendor's `{code, message, data: {session_id}}`.
 */
export function tencentImageDialect(services: Services): FastifyPluginAsync {
  const decide = createDecide(services);

  function respond(request: FastifyRequest, reply: FastifyReply, exchange: Exchange, answer: Answer): FastifyReply {
    auditExchange(services.auditor, request.log, DIALECT, exchange, String(answer.code));
    return reply.code(200).send({ code: answer.code, message: answer.message, data: { session_id: exchange.checkId } });
  }

  async function check(request: FastifyRequest, reply: FastifyReply, exchange: Exchange): Promise<FastifyReply> {
    return respond(request, reply, exchange, await decide(request, exchange));
  }

  return async (instance) => {
    const exchanges = exchangeSlot<Exchange>(instance);
    const limits = { bodyLimit: services.bodyLimit };
    // Our parsers never throw: the route answers 21 in its place in the order. Fastify still enforces
    // the body limit while reading (→ 23, before any parsing), for every content type alike.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('application/json', { parseAs: 'buffer', ...limits }, (_req, body, done) => {
      done(null, parseJsonBody(body as Buffer));
    });
    instance.addContentTypeParser('*', { parseAs: 'buffer', ...limits }, (_req, _body, done) => {
      done(null, UNSUPPORTED);
    });

    instance.setErrorHandler((error: FastifyError, request, reply) => {
      const exchange = exchanges.get(request) ?? newExchange('idcard2');
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return respond(request, reply, exchange, presentRefusal('body_too_large'));
      // Framework-level rejections of the request itself (bad Content-Type or Content-Length header).
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return respond(request, reply, exchange, presentRefusal('bad_request'));
      }
      request.log.error({ sessionId: exchange.checkId, error: describeError(error) }, 'tencent-image: internal error');
      return respond(request, reply, exchange, presentRefusal('internal'));
    });

    function newExchange(kind: CheckKind): Exchange {
      return startExchange(services, kind);
    }

    for (const route of ROUTES) {
      instance.route({
        method: 'POST',
        url: route.url,
        ...limits,
        schema: { response: RESPONSE_SCHEMA },
        onRequest: (request, _reply, done) => {
          exchanges.set(request, newExchange(route.kind));
          done();
        },
        handler: (request, reply) => check(request, reply, exchanges.get(request) ?? newExchange(route.kind)),
      });
    }
  };
}
