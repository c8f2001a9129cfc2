import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from './http.ts';

/**
 * `serve --workers N`: the primary gathers every worker's registry with prom-client's AggregatorRegistry
 * (counters and histograms summed; gauges of the shared store by their own aggregator). A scrape that
 * lands on a worker (the main port) asks the primary, so whichever worker answers, it answers for all.
 */

const ASK = 'realname:metrics?';
const ANSWER = 'realname:metrics';
const ASK_TIMEOUT_MS = 6000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In a worker: offers its registry to the primary; returns the source a /metrics route serves (everyone's, through the primary). */
export function shareWithPrimary(registry: Registry): MetricsSource {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's answer to the primary's requests in this worker.
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, (answer: Answer) => void>();
  process.on('message', (message: Partial<Answer>) => {
    if (message?.type !== ANSWER || typeof message.id !== 'number') return;
    pending.get(message.id)?.(message as Answer);
    pending.delete(message.id);
  });
  return {
    contentType: registry.contentType,
    text: () =>
      new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the primary did not answer'));
        }, ASK_TIMEOUT_MS);
        pending.set(id, (answer) => {
          clearTimeout(timer);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(answer.error ?? 'no metrics'));
        });
        process.send?.({ type: ASK, id });
      }),
  };
}

/** In the primary: every worker's metrics aggregated, and the answer to a worker that asks for them. */
export function gatherWorkers(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, text }),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, error: error.message }),
    );
  });
  return { contentType: aggregator.contentType, text: () => aggregator.clusterMetrics() };
}
