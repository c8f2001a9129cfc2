import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../log.ts';
import type { ConsoleContext } from './context.ts';
import { addressOf, answerError, ConsoleError, fields, text } from './http.ts';
import { SignInLimiter } from './limiter.ts';
import { SESSION_COOKIE, Sessions } from './sessions.ts';
import { serveWeb } from './static.ts';
import { appRoutes } from './api-apps.ts';
import { auditRoutes } from './api-audit.ts';
import { dataRoutes } from './api-data.ts';

export interface ConsoleOptions {
  logger?: Logger;
  https?: { cert: Buffer; key: Buffer };
  /** The built front end (default web/dist). */
  webDir?: string;
}

const SAFE = new Set(['GET', 'HEAD']);

/** Whether an Origin names this host (its scheme aside; a default port spelled or not alike). */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const from = new URL(origin);
    return host !== undefined && from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The console's HTTP server: its own Fastify instance on its own port, never the API's. Every /api/
 * route but sign-in needs a session; every change needs the session's CSRF token, an Origin of the
 * console's own (when the browser sends one) and JSON, and is recorded in the operators' log before
 * its answer leaves.
 */
export function buildConsole(context: ConsoleContext, options: ConsoleOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions);
  const sessions = new Sessions(context.clock);
  // Five failures a quarter hour per operator name, twenty per client address.
  const byName = new SignInLimiter(5, 15 * 60_000, context.clock);
  const byAddress = new SignInLimiter(20, 15 * 60_000, context.clock);

  app.setErrorHandler((error, request, reply) => answerError(error, reply, (e) => request.log.error({ err: { type: (e as Error).name } }, 'console: request failed')));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such resource' }));

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    const rule = request.routeOptions.config?.rule;
    if (rule?.action && request.operator) {
      const params = request.params as Record<string, unknown> | undefined;
      await context.store.operators.record({
        at: context.clock(),
        operator: request.operator.name,
        action: rule.action,
        target: String(params?.appid ?? params?.name ?? request.detail?.appid ?? ''),
        ok: reply.statusCode < 400,
        detail: { ...request.detail, ...(reply.statusCode >= 400 ? { status: reply.statusCode } : {}) },
        ip: addressOf(request),
      });
    }
    return payload;
  });

  // First of the hooks: the address is read while the socket is surely open.
  app.addHook('onRequest', async (request) => {
    request.address = request.ip ?? 'unknown';
  });

  // On the request's headers alone, before any body is read: nobody signed out uploads a file.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const change = !SAFE.has(request.method);
    if (change) {
      // The host only: behind a proxy that terminates TLS the page's scheme is not the console's own.
      const origin = request.headers.origin;
      if (origin !== undefined && !sameHost(origin, request.headers.host)) throw new ConsoleError(403, 'bad_origin', 'a change must come from the console itself');
    }
    if (request.routeOptions.url === '/api/session' && request.method === 'POST') return;
    const session = sessions.find(cookie(request, SESSION_COOKIE));
    const operator = session && (await context.operators.current(session.operator));
    if (!session || !operator) throw new ConsoleError(401, 'signed_out', 'sign in first');
    request.session = session;
    request.operator = operator;
    if (change && !Sessions.csrfMatches(session, request.headers['x-csrf-token'])) throw new ConsoleError(403, 'csrf', 'the page is out of date: reload it and try again');
    const rule = request.routeOptions.config?.rule;
    if (rule?.admin && operator.role !== 'admin') throw new ConsoleError(403, 'admin_only', 'only an admin may do this');
  });

  const sessionCookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAge}`;

  app.post('/api/session', async (request, reply) => {
    const body = fields(request);
    const name = text(body.name, 'name', 100);
    const password = text(body.password, 'password', 1024);
    const wait = Math.max(byName.waitMs(name), byAddress.waitMs(addressOf(request)));
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new ConsoleError(429, 'too_many_attempts', `too many failed sign-ins: try again in ${Math.ceil(wait / 60_000)} minute(s)`);
    }
    const operator = await context.operators.verify(name, password);
    // A name no operator has is not kept: it may be anything typed in the wrong field (an ID number, a password).
    const known = operator ?? (await context.operators.current(name));
    await context.store.operators.record({ at: context.clock(), operator: known?.name ?? '(unknown name)', action: 'session.sign_in', target: '', ok: operator !== undefined, detail: {}, ip: addressOf(request) });
    if (!operator) {
      byName.fail(name);
      byAddress.fail(addressOf(request));
      throw new ConsoleError(401, 'bad_credentials', 'wrong name or password');
    }
    byName.clear(name);
    const { token, session } = sessions.open(operator);
    reply.header('set-cookie', sessionCookie(token, 12 * 3600));
    return { operator, csrf: session.csrf };
  });

  app.get('/api/session', async (request) => ({ operator: request.operator, csrf: request.session!.csrf }));

  app.post('/api/session/end', { config: { rule: { action: 'session.sign_out' } } }, async (request, reply) => {
    sessions.close(cookie(request, SESSION_COOKIE));
    reply.header('set-cookie', sessionCookie('', 0));
    return { signedOut: true };
  });

  appRoutes(app, context);
  auditRoutes(app, context);
  dataRoutes(app, context);
  app.get('/api/*', async () => {
    throw new ConsoleError(404, 'not_found', 'no such resource');
  });
  serveWeb(app, options.webDir);
  return app;
}
