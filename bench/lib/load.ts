import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface WireRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RunResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not HTTP 2xx, plus socket errors and timeouts. */
  failures: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * One autocannon run. Latencies come from autocannon's per-response event (float ms from hrtime),
 * not its histogram, which truncates to whole milliseconds: sub-millisecond p50s need the decimals.
 * `rate` set: a fixed overall request rate instead of as fast as the server answers.
 */
export function run(url: string, requests: WireRequest[], o: { seconds: number; connections: number; rate?: number }): Promise<RunResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: o.connections,
        duration: o.seconds,
        requests,
        ...(o.rate ? { overallRate: o.rate } : {}),
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          rps: result.requests.total / (result.duration || o.seconds),
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          failures: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}

/** One request at a time over a keep-alive connection; returns each request's latency in ms. */
export function sequential(url: string): { next(r: WireRequest): Promise<{ ms: number; body: string }>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  return {
    next(r) {
      return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = request({ agent, hostname, port, method: r.method, path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, body }));
        });
        req.on('error', reject);
        req.end(r.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
