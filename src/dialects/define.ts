import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { REFUSED, type Decision, type Refused } from '../access/index.ts';
import type { BillingTable, CheckKind, Factors, Outcome } from '../core/index.ts';
import type { Services } from '../service/index.ts';
import type { Refusal } from '../access/index.ts';
import { describeError } from './errors.ts';

/** What a dialect's decide reads of a request once its body is parsed: no HTTP objects in it. */
export interface Arrival {
  /** The request target as sent: path and raw query (a signature may cover both). */
  url: string;
  headers: IncomingHttpHeaders;
  /** What the dialect's content-type parser made of the body (undefined when none was sent). */
  body: unknown;
  /** The address the allow-lists judge. */
  clientIp: string;
}

/** What is known about a request so far: the scaffold answers and audits from it. */
export interface Exchange {
  checkId: string;
  startedAt: number;
  /** The check it runs: its route's, or the one the request names (null until a dialect without a kind per route reads it). */
  kind: CheckKind | null;
  /** The route's URL as registered (a dialect may answer in the format it names). */
  route: string;
  appid: string | null;
  factors: Factors;
  /** What the request asked of the answer's form, as the dialect read it (TC3's VerifyMode): its present reads it. */
  answerOptions?: Readonly<Record<string, string>>;
  outcome?: Outcome;
  refusal?: Refusal;
  /** The client address the allow-lists judge (set once the handler runs; the error paths read it then). */
  clientIp?: string;
}

/** A decision as the wire carries it. */
export interface WireAnswer {
  /** The dialect's own code, as audited ("0", "-5803", "1204", "AuthFailure.SignatureFailure"). */
  code: string;
  /** An object (serialised by the route's response schema, or as JSON) or the body's text. */
  payload: unknown;
  /** Default application/json. */
  contentType?: string;
  /** Default 200: every vendor dialect answers 200 whatever the code. */
  status?: number;
  headers?: Record<string, string>;
}

/** A row of a dialect's code table, as README documents it. */
export interface CodeRow {
  code: number | string;
  message: string;
  meaning: string;
}

/** A body parser: never throws (a broken body is a value the decide answers in its place in the order). */
export type BodyParser = (bytes: Buffer, headers: IncomingHttpHeaders) => unknown;

/** An answer a decide already has on the wire: an idempotent request's first answer, given again. */
export interface Replayed {
  replayed: WireAnswer;
  appid: string;
}

export type Decide = (arrival: Arrival, exchange: Exchange) => Promise<Decision | Replayed>;

export interface DialectDefinition<Options> {
  /** As audited and logged. */
  name: string;
  /** The check routes (POST), each with the kind it runs, or null where the request names it (TC3's one route, `/`). */
  routes: ReadonlyArray<{ url: string; kind: CheckKind | null }>;
  /** Content type → parser of the whole body (read within the body limit); '*' for any other type. */
  parsers: Readonly<Record<string, BodyParser>>;
  /** Every code the dialect answers with, for README. */
  codes: readonly CodeRow[];
  /** Further tables, by name, for README (TC3's Results, one table per action). */
  tables?: Readonly<Record<string, readonly CodeRow[]>>;
  /** Which verdicts the app's quota is charged for, as the vendor bills. */
  billing: BillingTable;
  /** The dialect's own settings and their defaults. */
  defaults: Options;
  /** Made once per server: the dialect's answer to a parsed request, HTTP-free (the bench drives it in-process). */
  decider(services: Services, options: Options, billing: BillingTable): Decide;
  /** The wire form of a decision. */
  present(decision: Refused | { outcome: Outcome }, exchange: Exchange): WireAnswer;
  /** A JSON schema of the check routes' 200 body: Fastify serialises with it. */
  responseSchema?: object;
  /** Instead of responseSchema, one schema per status (or '4xx', '5xx'): Fastify serialises with them. */
  responseSchemas?: Readonly<Record<string, object>>;
  /** Routes that are not checks (SUBMAIL's /service/timestamp). */
  extraRoutes?(instance: FastifyInstance, services: Services, options: Options): void;
}

export interface Dialect<Options = unknown> extends DialectDefinition<Options> {
  /** The dialect as a Fastify plugin over the house's services; register it in its own context. */
  plugin(services: Services, options?: Partial<Options>): FastifyPluginAsync;
}

/**
 * A dialect from its parts. The scaffold owns, once for every dialect: the content-type parsers and the
 * body limit, the exchange of each request, the error mapping (a body over the limit, a request the
 * framework rejects, an unexpected fault — never a 500), timing, the audit record, and the answer.
 */
export function defineDialect<Options>(definition: DialectDefinition<Options>): Dialect<Options> {
  return {
    ...definition,
    plugin: (services, options) => dialectPlugin(definition, services, { ...definition.defaults, ...options }),
  };
}

type Exchanged = FastifyRequest & { exchange: Exchange | null };

/** What a throwing body parser becomes: a 4xx the error mapping answers as bad_request. */
const UNREADABLE = Object.assign(new Error('the body could not be read'), { statusCode: 400 });

function dialectPlugin<Options>(d: DialectDefinition<Options>, services: Services, options: Options): FastifyPluginAsync {
  const decide = d.decider(services, options, d.billing);
  const { name } = d;

  const start = (kind: CheckKind | null, route: string): Exchange => ({
    checkId: services.newCheckId(),
    startedAt: services.clock(),
    kind,
    route,
    appid: null,
    factors: {},
  });

  const respond = (request: FastifyRequest, reply: FastifyReply, exchange: Exchange, decision: Decision | Replayed): FastifyReply => {
    let wire: WireAnswer;
    if ('replayed' in decision) {
      // Audited as a request of its own, with no verdict of its own: the first answer was billed, once.
      exchange.appid = decision.appid;
      wire = decision.replayed;
    } else {
      if ('outcome' in decision) exchange.outcome = decision.outcome;
      else exchange.refusal = decision.refusal;
      if (decision.app) exchange.appid = decision.app.appid;
      wire = d.present(decision, exchange);
    }
    audit(services, request, name, exchange, wire.code);
    // One line per request, no factor: what was asked of whom, what was answered, how fast.
    request.log.info(
      { checkId: exchange.checkId, appid: exchange.appid, dialect: name, route: exchange.route, code: wire.code, ms: services.clock() - exchange.startedAt },
      'answered',
    );
    reply.code(wire.status ?? 200);
    if (wire.contentType) reply.type(wire.contentType);
    if (wire.headers) reply.headers(wire.headers);
    return reply.send(wire.payload);
  };

  return async (instance) => {
    instance.decorateRequest('exchange', null);
    const exchangeOf = (request: FastifyRequest, kind: CheckKind | null = d.routes[0]!.kind): Exchange =>
      ((request as Exchanged).exchange ??= start(kind, request.routeOptions.url ?? request.url));

    // The dialect's parsers never throw: its decide answers a broken body in its place in the order.
    // Fastify enforces the body limit while reading (→ body_too_large, before any parsing).
    instance.removeAllContentTypeParsers();
    for (const [type, parse] of Object.entries(d.parsers)) {
      instance.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: services.bodyLimit }, (req, body, done) => {
        let parsed: unknown;
        try {
          parsed = parse(body as Buffer, req.headers);
        } catch {
          // A parser that throws after all: the request is one the dialect cannot read (bad_request).
          return done(UNREADABLE, undefined);
        }
        if (parsed instanceof Promise) void parsed.then((value: unknown) => done(null, value), () => done(UNREADABLE, undefined));
        else done(null, parsed);
      });
    }

    instance.setErrorHandler((error: FastifyError, request, reply) => {
      const exchange = exchangeOf(request);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return respond(request, reply, exchange, REFUSED.body_too_large);
      // Framework-level rejections of the request itself (bad Content-Type or Content-Length header).
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return respond(request, reply, exchange, REFUSED.bad_request);
      }
      request.log.error({ sessionId: exchange.checkId, error: describeError(error) }, `${name}: internal error`);
      return respond(request, reply, exchange, REFUSED.internal);
    });

    for (const route of d.routes) {
      instance.route({
        method: 'POST',
        url: route.url,
        bodyLimit: services.bodyLimit,
        ...(d.responseSchemas ? { schema: { response: d.responseSchemas } } : d.responseSchema ? { schema: { response: { 200: d.responseSchema } } } : {}),
        onRequest: (request, _reply, done) => {
          (request as Exchanged).exchange = start(route.kind, route.url);
          done();
        },
        handler: async (request, reply) => {
          const exchange = exchangeOf(request, route.kind);
          const clientIp = services.clientIp(request);
          exchange.clientIp = clientIp;
          const arrival: Arrival = { url: request.url, headers: request.headers, body: request.body, clientIp };
          return respond(request, reply, exchange, await decide(arrival, exchange));
        },
      });
    }
    d.extraRoutes?.(instance, services, options);
  };
}

/**
 * Records one answered request. A failing auditor never stops the answer: the failure is logged with
 * the check id only, never the entry (it holds factors).
 */
function audit(services: Services, request: FastifyRequest, dialect: string, exchange: Exchange, code: string): void {
  try {
    services.auditor.record({
      checkId: exchange.checkId,
      appid: exchange.appid,
      dialect,
      kind: exchange.kind,
      factors: exchange.factors,
      outcome: exchange.outcome,
      refusal: exchange.refusal,
      code,
      startedAt: exchange.startedAt,
      route: exchange.route,
      clientIp: exchange.clientIp ?? services.clientIp(request),
    });
  } catch (err) {
    request.log.error({ sessionId: exchange.checkId, error: describeError(err) }, `${dialect}: audit record failed`);
  }
}
