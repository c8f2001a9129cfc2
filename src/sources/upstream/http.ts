import { Pool, type Dispatcher } from 'undici';
import type { SourceCall } from '../types.ts';
import { SourceFailure } from '../types.ts';

/** A vendor's answer is small; anything longer is not one of its answers. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface VendorRequest {
  method: 'POST' | 'GET';
  /** Path and query, below the endpoint's own path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface VendorReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One vendor endpoint: a keep-alive pool of at most `concurrency` connections (more requests wait in its queue). */
export interface VendorEndpoint {
  readonly url: URL;
  send(request: VendorRequest, call: SourceCall): Promise<VendorReply>;
  close(): Promise<void>;
}

export function openEndpoint(endpoint: string, concurrency: number): VendorEndpoint {
  const url = new URL(endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: 5_000 },
  });
  return {
    url,
    send: (request, call) => exchange(pool, { ...request, path: base + request.path }, call),
    async close() {
      await pool.close().catch(() => pool.destroy());
    },
  };
}

/**
 * One request through the pool. The call is told when the request goes out on a connection (before that
 * it only waited in the pool's queue: a time limit passing then has cost nothing), and the request is
 * aborted when the call's signal is. Transport failures become SourceFailures that say whether the vendor
 * may have seen — and billed — the request; no message carries a URL or a body.
 */
function exchange(pool: Dispatcher, request: VendorRequest, call: SourceCall): Promise<VendorReply> {
  return new Promise<VendorReply>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let sent = false;
    let status = 0;
    let headers: VendorReply['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;
    const signal = call.signal;
    const onAbort = () => controller?.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const settle = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) {
      reject(new SourceFailure('unreachable', 'aborted before it was sent', { code: 'timeout' }));
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (signal.aborted) {
          c.abort(new Error('aborted'));
          return;
        }
        sent = true;
        call.sent?.();
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(c, chunk) {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) c.abort(new AnswerTooLarge());
        else chunks.push(chunk);
      },
      onResponseEnd() {
        settle();
        resolve({ status, headers, body: Buffer.concat(chunks) });
      },
      onResponseError(_c, error) {
        settle();
        if (error instanceof AnswerTooLarge) reject(new SourceFailure('error', 'answer too large', { code: 'too large' }));
        // Sent and then lost: the vendor may have answered, and billed, all the same — also when its answer
        // had begun (a status below 500 and a body cut short is a verdict we did not read); a 5xx cut short is not one.
        else if (sent) reject(new SourceFailure('unreachable', 'no answer', { code: transportCode(error, signal), ambiguous: status < 500 }));
        else reject(new SourceFailure('unreachable', 'not sent', { code: transportCode(error, signal) }));
      },
    };
    pool.dispatch({ method: request.method, path: request.path, headers: request.headers, body: request.body ?? null }, handler);
  });
}

class AnswerTooLarge extends Error {}

/** The transport's error code (ECONNREFUSED, UND_ERR_SOCKET …, or timeout when we aborted), never its message. */
function transportCode(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
