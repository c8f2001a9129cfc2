import Fastify, { type FastifyInstance } from 'fastify';

/** Where /metrics text comes from: this process's registry, or (a worker) the primary's aggregate. */
export interface MetricsSource {
  contentType: string;
  text(): Promise<string>;
}

/** GET /metrics on `app`: the Prometheus text; 503 when it cannot be gathered (a worker whose primary is gone). */
export function metricsRoute(app: FastifyInstance, source: MetricsSource): void {
  app.get('/metrics', async (_request, reply) => {
    try {
      const text = await source.text();
      return reply.type(source.contentType).send(text);
    } catch {
      return reply.code(503).type('text/plain').send('metrics unavailable\n');
    }
  });
}

/** A server of its own for /metrics (`--metrics-port`), so it can stay off the public interface. */
export async function listenMetrics(host: string, port: number, source: MetricsSource): Promise<{ address: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  metricsRoute(app, source);
  // The main port's 404, not Fastify's default (which echoes the URL asked for).
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found', message: 'no such route: this port answers GET /metrics only' }));
  try {
    const address = await app.listen({ host, port });
    return { address, close: () => app.close() };
  } catch (error) {
    // Which listener could not bind: the one --metrics-port asked for (errors.ts names that option).
    if (error && typeof error === 'object') Object.assign(error, { listenOptions: { host: '--host', port: '--metrics-port' } });
    throw error;
  }
}
