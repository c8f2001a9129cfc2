import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Operator } from './operators.ts';

export interface Session {
  operator: string;
  /** Sent back by the page in `x-csrf-token` with every change; never in a cookie. */
  csrf: string;
  createdAt: number;
  seenAt: number;
}

export const SESSION_COOKIE = 'realname_console';
/** Idle sessions end after 30 minutes, every session after 12 hours. */
const IDLE_MS = 30 * 60_000;
const LIFETIME_MS = 12 * 3600_000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Console sessions, in this process's memory (the console is served by one process): the cookie holds a
 * random token, the map its SHA-256, so a heap dump or log line of the map signs nobody in.
 */
export class Sessions {
  private readonly byDigest = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  open(operator: Operator): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { operator: operator.name, csrf: randomBytes(32).toString('base64url'), createdAt: now, seenAt: now };
    this.byDigest.set(digest(token), session);
    this.sweep(now);
    return { token, session };
  }

  /** The live session of a token; renews its idle time. */
  find(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const key = digest(token);
    const session = this.byDigest.get(key);
    const now = this.clock();
    if (!session) return undefined;
    if (now - session.seenAt > IDLE_MS || now - session.createdAt > LIFETIME_MS) {
      this.byDigest.delete(key);
      return undefined;
    }
    session.seenAt = now;
    return session;
  }

  close(token: string | undefined): void {
    if (token) this.byDigest.delete(digest(token));
  }

  /** Constant time: the token the page sent is the session's. */
  static csrfMatches(session: Session, sent: unknown): boolean {
    if (typeof sent !== 'string') return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(sent);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sweep(now: number): void {
    for (const [key, s] of this.byDigest) if (now - s.seenAt > IDLE_MS || now - s.createdAt > LIFETIME_MS) this.byDigest.delete(key);
  }
}
