import type { FastifyReply, FastifyRequest } from 'fastify';
import { CidrError } from '../access/cidr.ts';
import { LimitError } from '../access/limits.ts';
import { NoSuchApp, TenantError } from '../access/tenants.ts';
import { SubjectError } from '../audit/subject.ts';
import { RegistryFileError } from '../registry/parse.ts';
import { SourceError } from '../sources/upstream/admin.ts';
import { OperatorError } from './operators.ts';

/** A request the console refuses: its HTTP status, a code the page translates, a line for the person. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The modules' own "you asked for something wrong" errors: a 400 with their one line. */
const USER_ERRORS = [TenantError, SourceError, LimitError, CidrError, RegistryFileError, OperatorError, SubjectError];

export function answerError(error: unknown, reply: FastifyReply, log: (error: unknown) => void): FastifyReply {
  if (error instanceof ConsoleError) return reply.code(error.status).send({ error: error.code, message: error.message });
  if (error instanceof NoSuchApp) return reply.code(404).send({ error: 'not_found', message: error.message });
  if (USER_ERRORS.some((type) => error instanceof type)) return reply.code(400).send({ error: 'invalid', message: (error as Error).message });
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ error: status === 413 ? 'too_large' : 'bad_request', message: (error as Error).message });
  }
  log(error);
  return reply.code(500).send({ error: 'internal', message: 'the console failed to do this; the server log says why' });
}

/** The JSON body as an object of fields (a body of another shape is a 400, never a crash further on). */
export function fields(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ConsoleError(400, 'bad_request', 'the body must be one JSON object');
  return body as Record<string, unknown>;
}

export function text(value: unknown, what: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConsoleError(400, 'bad_request', `${what} is required`);
  if (value.length > max) throw new ConsoleError(400, 'bad_request', `${what} is longer than ${max} characters`);
  return value;
}

export function optionalText(value: unknown, what: string, max = 200): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(value, what, max);
}

/** A query string's value: one string (a repeated parameter is refused, not half-read). */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, unknown>)[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ConsoleError(400, 'bad_request', `${name} given more than once`);
  return v;
}

/** The client's address as captured when the request began (never undefined: the operators' log requires one). */
export const addressOf = (request: FastifyRequest): string => request.address ?? request.ip ?? 'unknown';
