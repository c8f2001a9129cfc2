import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | 'pass'
  /** Reads the request, then resets the connection: the request was sent, no answer comes. */
  | 'reset'
  /** Reads the request and never answers (until the client gives up). */
  | 'hang'
  /** Answers 502 without asking the vendor. */
  | '5xx'
  /** Answers 200 with a body that is no vendor's. */
  | 'garbage'
  /** Forwards, then sends the vendor's answer one byte every 50 ms. */
  | 'slow'
  /** Forwards, then sends the vendor's status and half its answer, and resets: a verdict cut short. */
  | 'cut'
  | { delayMs: number }
  /** Forwards, then answers the client with `rewrite(the vendor's answer)` (the vendor saw, and may have billed, the request). */
  | { rewrite: (answer: string) => string };

export interface FaultProxy {
  url: string;
  /** The fault for the next requests (a function decides per request, by its count from 1). */
  set(fault: Fault | ((n: number) => Fault)): void;
  /** Requests that reached the proxy, forwarded to the vendor, and abandoned by the client before an answer. */
  received: () => number;
  forwarded: () => number;
  abandoned: () => number;
  /** The most requests the proxy held at once. */
  maxInFlight: () => number;
  /** Every request body seen (to check what travelled). */
  bodies: string[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback between a gateway and the vendor playing upstream: passes requests on, or
 * delays, drops, resets, answers 5xx or garbage, or answers slowly; counts what it saw.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let fault: Fault | ((n: number) => Fault) = 'pass';
  let received = 0;
  let forwarded = 0;
  let abandoned = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const bodies: string[] = [];
  const to = new URL(target);

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, slow: boolean | 'cut', rewrite?: (answer: string) => string) => {
    forwarded++;
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: req.headers.host ?? to.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const bytes = rewrite ? Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8'))) : Buffer.concat(chunks);
          if (rewrite) {
            res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': bytes.length });
            res.end(bytes);
            return;
          }
          if (slow === 'cut') {
            res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': bytes.length });
            res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
            return;
          }
          if (!slow) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(bytes);
            return;
          }
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': bytes.length });
          let i = 0;
          const drip = setInterval(() => {
            if (res.destroyed || i >= bytes.length) {
              clearInterval(drip);
              if (!res.destroyed) res.end();
              return;
            }
            res.write(bytes.subarray(i, ++i));
          }, 50);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const n = ++received;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let answered = false;
    res.on('finish', () => (answered = true));
    res.on('close', () => {
      inFlight--;
      if (!answered) abandoned++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(`${req.url ?? ''}\n${body.toString('utf8')}`);
      const f = typeof fault === 'function' ? fault(n) : fault;
      if (f === 'reset') req.socket.destroy();
      else if (f === 'hang') return;
      else if (f === '5xx') res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      else if (f === 'garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"this is": no vendor');
      else if (f === 'slow') forward(req, body, res, true);
      else if (f === 'cut') forward(req, body, res, 'cut');
      else if (typeof f === 'object' && 'rewrite' in f) forward(req, body, res, false, f.rewrite);
      else if (typeof f === 'object') setTimeout(() => forward(req, body, res, false), f.delayMs);
      else forward(req, body, res, false);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (f) => {
      fault = f;
    },
    received: () => received,
    forwarded: () => forwarded,
    abandoned: () => abandoned,
    maxInFlight: () => maxInFlight,
    bodies,
    reset() {
      received = forwarded = abandoned = maxInFlight = 0;
      bodies.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
