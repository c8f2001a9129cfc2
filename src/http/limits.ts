/** How long the HTTP server waits for a client, and how much of one client it holds (README: "Connections"). */
export interface HttpLimits {
  /** A request's headers must have arrived this long after it began (an idle new connection included). */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections one client address may hold; more are closed at once. 0 = no cap. */
  connectionsPerClient: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionsPerClient: 256,
};

/**
 * Bytes of a request body read (and thrown away) after its answer is decided, before the answer is sent
 * and the connection closed: a client still sending an oversize body reads the answer instead of a reset.
 */
export const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Node checks the header and request deadlines every connectionsCheckingInterval (30 s by default, which
 * would let a slow client stay 30 s past its deadline): a quarter of the shorter deadline, at most 1 s.
 */
export function checkingIntervalMs(limits: HttpLimits): number {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
}
