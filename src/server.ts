import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from './log.ts';
import { metricsRoute, type MetricsSource } from './metrics/http.ts';
import { DIALECTS } from './dialects/index.ts';
import { httpHardening, type HttpLimits } from './http/index.ts';
import type { Services } from './service/index.ts';
import type { Store } from './store/types.ts';

export interface ServerOptions {
  services: Services;
  store: Store;
  /** The service's logger (src/log.ts); none: the server logs nothing. */
  logger?: Logger;
  https?: { cert: Buffer; key: Buffer };
  /** Each dialect's own settings, by dialect name (e.g. `{ submail: { timestampWindowMs } }`). */
  dialects?: Record<string, object>;
  /** Deadlines and the per-client connection cap (defaults: src/http/limits.ts). */
  http?: Partial<HttpLimits>;
  /** GET /metrics on this server (absent: served on a port of its own, or not at all). */
  metrics?: MetricsSource;
}

/** The HTTP server, built but not listening: tests inject or listen on port 0, `serve` listens. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const hardening = httpHardening(options.http, options.store.audit);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Request logs would carry URLs and addresses only, but per-request lines cost throughput; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Every request shares the server's logger: a pino child per request (to bind a request id no line
    // of ours uses — errors carry the session id) cost each check an object tree for nothing.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    // Each dialect enforces its own, smaller limit with its own code; this is the outer bound.
    bodyLimit: 1024 * 1024,
    // Requests that arrive while a shutdown drains are answered (with `Connection: close`: src/http/drain.ts).
    return503OnClosing: false,
    ...hardening.options(options.https),
  } as FastifyServerOptions);
  hardening.install(app);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.store.ping();
      // A store that answers but does not take audit records is not ready: checks would answer unavailable.
      if (!options.store.audit.accepting()) throw new Error('audit log not keeping up');
      return { status: 'ready', store: options.store.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', store: options.store.kind, audit: options.store.audit.health() });
    }
  });

  if (options.metrics) metricsRoute(app, options.metrics);

  // Anything no dialect answers (another path, another method): a plain 404 of our own, never echoing the
  // URL (a query string may carry a factor). README, Connections, documents it.
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'not found', message: 'no such route: this server answers the routes of its dialects, GET /healthz and GET /readyz only' }),
  );

  // Each in its own encapsulated context: a dialect's parsers and error handler are its own.
  for (const dialect of DIALECTS) app.register(dialect.plugin(options.services, options.dialects?.[dialect.name]));
  return app;
}
