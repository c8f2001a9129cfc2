import { connect, type Socket } from 'node:net';

/**
 * HTTP/1.1 over a raw socket, byte for byte as a test writes it: for framing, pipelining, slow and
 * oversize clients, where fetch would fix the request up or hide what came back.
 */

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireResult {
  /** Every complete response read off the connection, in order. */
  responses: WireResponse[];
  /** Bytes after the last complete response (a cut-off or unparseable response). */
  rest: Buffer;
  /** The server closed the connection (or reset it) before `waitMs` was up. */
  closed: boolean;
  /** Milliseconds from connecting until the close (or until waitMs). */
  ms: number;
  /** A socket error seen (EPIPE, ECONNRESET …), if any. */
  error?: string;
}

export interface WireOptions {
  host?: string;
  /** Give up (and report not closed) after this long. */
  waitMs?: number;
  /**
   * Send every byte before reading any, as simple clients do: a server that closes while the client is
   * still sending makes it lose the answer.
   */
  sendAllFirst?: boolean;
  /** Pause between the given chunks (a dripping client). */
  dripMs?: number;
  /** Stop waiting once this many responses have arrived (a keep-alive client reading its answers). */
  responses?: number;
  /** Half-close after the last chunk (the client will send nothing more). */
  endAfter?: boolean;
  /** Called as soon as each response has arrived whole (before the result resolves). */
  onResponse?: (response: WireResponse) => void;
}

/** Sends `chunks` on a fresh connection and collects what comes back until the server closes it. */
export function wire(port: number, chunks: ReadonlyArray<Buffer | string> | Buffer | string, options: WireOptions = {}): Promise<WireResult> {
  const parts = typeof chunks === 'string' || Buffer.isBuffer(chunks) ? [chunks] : chunks;
  const waitMs = options.waitMs ?? 5000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const received: Buffer[] = [];
    let error: string | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { responses, rest } = parseResponses(Buffer.concat(received));
      resolve({ responses, rest, closed, ms: Date.now() - started, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    if (options.sendAllFirst) socket.pause();
    let seen = 0;
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (options.responses === undefined && !options.onResponse) return;
      const { responses } = parseResponses(Buffer.concat(received));
      for (; seen < responses.length; seen++) options.onResponse?.(responses[seen]!);
      if (options.responses !== undefined && responses.length >= options.responses) finish(false);
    });
    socket.on('error', (e) => (error ??= (e as NodeJS.ErrnoException).code ?? e.message));
    socket.on('close', () => finish(true));
    socket.once('connect', async () => {
      for (let i = 0; i < parts.length && !socket.destroyed; i++) {
        if (i > 0 && options.dripMs) await new Promise((r) => setTimeout(r, options.dripMs));
        if (socket.destroyed) break;
        const flushed = socket.write(parts[i]!);
        if (!flushed) {
          await new Promise<void>((resolve) => {
            const go = () => {
              socket.off('drain', go);
              socket.off('close', go);
              resolve();
            };
            socket.on('drain', go);
            socket.on('close', go);
          });
        }
      }
      if (options.endAfter && !socket.destroyed) socket.end();
      if (options.sendAllFirst) socket.resume();
    });
  });
}

/** A request head and body as bytes; `content-length` is added unless a framing header is given. */
export function httpRequest(method: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  const all: Array<[string, string]> = [['host', '127.0.0.1'], ...Object.entries(headers)];
  if (!names.includes('content-length') && !names.includes('transfer-encoding') && (bytes.length > 0 || method === 'POST')) {
    all.push(['content-length', String(bytes.length)]);
  }
  const head = `${method} ${path} HTTP/1.1\r\n${all.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** Splits a byte stream into the complete HTTP/1.1 responses it holds (content-length or chunked bodies). */
export function parseResponses(bytes: Buffer): { responses: WireResponse[]; rest: Buffer } {
  const responses: WireResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const lines = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const chunks: Buffer[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) break;
        const size = parseInt(bytes.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size) || lineEnd + 2 + size + 2 > bytes.length) break;
        chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
        if (size === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      body = Buffer.concat(chunks);
      at = bodyStart;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (bodyStart + length > bytes.length) break;
      body = bytes.subarray(bodyStart, bodyStart + length);
      at = bodyStart + length;
    }
    responses.push({ status: Number(status[1]), headers, body });
  }
  return { responses, rest: bytes.subarray(at) };
}
