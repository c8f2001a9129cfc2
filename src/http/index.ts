import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { AuditSink } from '../store/types.ts';
import { holdAnswers } from './answer.ts';
import { capConnectionsPerClient } from './connections.ts';
import { drainOnClose } from './drain.ts';
import { oneResponsePerRequest } from './framing.ts';
import { checkingIntervalMs, DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.ts';

export { DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.ts';

export interface HttpHardening {
  /** Fastify options: deadlines, and `https` with Node's own server options folded in. */
  options(https?: { cert: Buffer; key: Buffer }): Partial<FastifyServerOptions>;
  /** Installs the per-client connection cap, the framing guard, the answer hold and the drain; before any route. */
  install(app: FastifyInstance): void;
}

/**
 * The HTTP server's defences, in one place: deliberate deadlines, a cap on connections per client, one
 * response per request, oversize bodies read before their answer, and no answer before its audit record.
 */
export function httpHardening(limits: Partial<HttpLimits> | undefined, audit: Pick<AuditSink, 'whenStored'>): HttpHardening {
  const l: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...limits };
  // Given to Fastify at construction; bound to the server once it exists (install).
  let clientError: ReturnType<typeof oneResponsePerRequest> | undefined;
  const node = { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: checkingIntervalMs(l) };
  return {
    options: (https) => ({
      keepAliveTimeout: l.keepAliveTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      // No byte either way for this long (a client that stops reading its answer): the socket is closed.
      connectionTimeout: l.requestTimeoutMs,
      ...(https ? { https: { ...https, ...node } } : { http: node }),
      clientErrorHandler: (error, socket) => clientError?.(error, socket),
    }),
    install(app) {
      clientError = oneResponsePerRequest(app.server);
      capConnectionsPerClient(app.server, l.connectionsPerClient);
      app.addHook('onSend', holdAnswers(audit));
      drainOnClose(app, app.server);
    },
  };
}
