import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
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
  /** The far tail, where a run records it (the fixed-rate runs): p99.9 and the slowest answer. */
  p999Ms?: number;
  maxMs?: number;
  /** Every answer's latency, ascending (fixed-rate runs), so runs can be pooled. */
  latencies?: Float64Array;
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
 */
export function run(url: string, requests: WireRequest[], o: { seconds: number; connections: number }): Promise<RunResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: o.connections,
        duration: o.seconds,
        requests,
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

/**
 * A fixed-rate, open-loop run: each request is queued when it is due (evenly spaced), answered or
 * not, and sent over at most `connections` keep-alive sockets (one request in flight each). A
 * request's latency runs from the moment it was queued to the last byte of its answer, so a server
 * that stalls is charged for every request queued behind the stall. Raw sockets and pre-built request bytes keep the client's cost per request small.
 * (autocannon's overallRate is not a fixed rate: each connection sends back to back until its quota
 * for the second is used, then idles, so a "half rate" run is full load for half of each second.)
 */
export async function paced(url: string, requests: WireRequest[], o: { seconds: number; connections: number; rate: number }): Promise<RunResult> {
  const { hostname, port } = new URL(url);
  const wire = requests.map((r) =>
    Buffer.from(
      `${r.method} ${r.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n` +
        Object.entries({ ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) })
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        `\r\n${r.body}`,
    ),
  );
  const total = Math.round(o.rate * o.seconds);
  const queue: number[] = []; // when each queued request was due, oldest first
  const latencies: number[] = [];
  let queued = 0;
  let sent = 0;
  let answered = 0;
  let finished: () => void = () => {};
  const allAnswered = new Promise<void>((resolve) => (finished = resolve));

  const sockets = await Promise.all(
    Array.from({ length: o.connections }, () => new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true }, () => resolve(socket));
      socket.once('error', reject);
    })),
  );
  const idle: Socket[] = [];
  /** When each busy socket's request was due. */
  const inFlight = new Map<Socket, number>();
  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const socket = idle.pop()!;
      const since = queue.shift()!;
      inFlight.set(socket, since);
      socket.write(wire[sent++ % wire.length]!);
    }
  };
  for (const socket of sockets) {
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = buffered.toString('latin1', 0, headerEnd);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < headerEnd + 4 + length) return;
      buffered = buffered.subarray(headerEnd + 4 + length);
      if (head.startsWith('HTTP/1.1 200')) latencies.push(performance.now() - inFlight.get(socket)!);
      inFlight.delete(socket);
      idle.push(socket);
      if (++answered === total) finished();
      dispatch();
    });
    // A broken socket leaves its requests unanswered: they count as failures below.
    socket.on('error', () => {});
    idle.push(socket);
  }
  const started = performance.now();
  await new Promise<void>((resolve) => {
    // A setImmediate loop, not a 1 ms timer: each request goes out when it is due, not in bursts of
    // rate/1000 (the load generator has its own core to spin on).
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) * o.rate) / 1000) + 1);
      for (; queued < due; queued++) queue.push(now);
      dispatch();
      if (queued === total) resolve();
      else setImmediate(tick);
    };
    tick();
  });
  await Promise.race([allAnswered, new Promise((r) => setTimeout(r, 10_000))]);
  for (const socket of sockets) socket.destroy();
  // Not HTTP 200, or never answered (a broken socket, or still waiting 10 s after the last was due).
  const failures = total - latencies.length;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / o.seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failures,
    p999Ms: percentile(sorted, 99.9),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    latencies: sorted,
  };
}

/** The runs' latencies as one ascending set: a percentile over every answer of every run. */
export function pooled(runs: RunResult[]): Float64Array {
  const all = new Float64Array(runs.reduce((n, r) => n + (r.latencies?.length ?? 0), 0));
  let at = 0;
  for (const r of runs) {
    if (!r.latencies) continue;
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return all.sort();
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
