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
    return503OnClosing: true,
    ...hardening.options(options.https),
  } as FastifyServerOptions);
  hardening.install(app);

  // While draining, answers close their connection, so a finished keep-alive client does not hold shutdown up.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // A callback hook, not an async one: no promise per answer on the hot path.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });

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

  // Each in its own encapsulated context: a dialect's parsers and error handler are its own.
  for (const dialect of DIALECTS) app.register(dialect.plugin(options.services, options.dialects?.[dialect.name]));
  return app;
}
