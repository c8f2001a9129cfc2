import type { IncomingMessage } from 'node:http';
import type { onSendHookHandler } from 'fastify';
import type { AuditSink } from '../store/types.ts';
import { DISCARD_LIMIT_BYTES } from './limits.ts';

/**
 * Holds each answer until it may leave: the rest of an unread request body has been read (up to
 * DISCARD_LIMIT_BYTES, the answer then closing the connection), and every audit record written so
 * far — this answer's own included — is stored. A callback hook: no promise per answer.
 */
export function holdAnswers(audit: Pick<AuditSink, 'whenStored'>): onSendHookHandler {
  return (request, reply, payload, done) => {
    const send = () => audit.whenStored(() => done(null, payload));
    const raw = request.raw;
    // `readableEnded`: the body was read to its end (an injected request has no `complete` of its own).
    if (raw.complete || raw.readableEnded || !hasBody(raw)) {
      send();
      return;
    }
    // Answered before the body was read (too large, or refused on its headers): reading the rest lets a
    // client that sends everything before it reads see the answer; the connection cannot be reused.
    reply.header('connection', 'close');
    discardBody(raw, DISCARD_LIMIT_BYTES, send);
  };
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** Reads and drops the rest of a body; `then` runs once, at its end, past `limit` bytes, or when it breaks. */
function discardBody(request: IncomingMessage, limit: number, then: () => void): void {
  let seen = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    request.off('data', count);
    request.off('end', settle);
    request.off('error', settle);
    request.off('close', settle);
    then();
  };
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) settle();
  };
  request.on('data', count);
  request.once('end', settle);
  request.once('error', settle);
  request.once('close', settle);
  request.resume();
}
