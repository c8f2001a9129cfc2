import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REFUSALS } from '../access/refusal.ts';
import { FACTOR_NAMES } from '../audit/lookup.ts';
import { recordAccess } from '../audit/operator.ts';
import { csvRow, CSV_COLUMNS, searchAudit, toFilter, type AuditQuery } from '../audit/search.ts';
import { canonicalCheckId } from '../core/check-id.ts';
import { CHECK_KINDS } from '../core/factors.ts';
import type { AuditTrail, FactorName } from '../store/types.ts';
import type { ConsoleContext } from './context.ts';
import { addressOf, ConsoleError, fields, text } from './http.ts';

const VERDICTS = ['match', 'mismatch', 'not_found', 'invalid', 'unavailable'];
const WORD = /^[a-z0-9_.-]{1,64}$/;

/** Who did it, as the audit's own log of commands names its operator (the CLI: OS user and host). */
export const consoleOperator = (request: FastifyRequest) => ({ user: `console:${request.operator!.name}`, host: hostname(), pid: process.pid, address: addressOf(request) });

export function trailOf(context: ConsoleContext): AuditTrail {
  if (!context.trail) throw new ConsoleError(501, 'no_audit', `the ${context.store.kind} store keeps no searchable audit`);
  return context.trail;
}

function time(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new ConsoleError(400, 'invalid', `${name} must be a time (ISO 8601, e.g. 2026-12-01T08:00:00Z)`);
  return at;
}

function oneOf(value: unknown, name: string, allowed: readonly string[] | RegExp): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ok = typeof value === 'string' && (Array.isArray(allowed) ? allowed.includes(value) : (allowed as RegExp).test(value));
  if (!ok) throw new ConsoleError(400, 'invalid', Array.isArray(allowed) ? `${name} must be one of ${allowed.join(', ')}` : `${name} is not a word of letters, digits, '_', '-' or '.'`);
  return value as string;
}

/**
 * The CLI's filters (`audit search`), from a POSTed body: a factor to look a person up by travels only
 * here, is hashed for the lookup and never kept (the operators' log and the chain see its hash).
 */
function queryOf(body: Record<string, unknown>): AuditQuery {
  const query: AuditQuery = {};
  const set = <K extends keyof AuditQuery>(key: K, value: AuditQuery[K] | undefined) => {
    if (value !== undefined) query[key] = value;
  };
  set('appid', oneOf(body.app, 'app', WORD));
  set('since', time(body.since, 'since'));
  set('until', time(body.until, 'until'));
  if (query.since !== undefined && query.until !== undefined && query.until <= query.since) throw new ConsoleError(400, 'invalid', 'until must come after since');
  set('verdict', oneOf(body.verdict, 'verdict', VERDICTS));
  set('refusal', oneOf(body.refusal, 'refusal', REFUSALS));
  if (query.verdict && query.refusal) throw new ConsoleError(400, 'invalid', 'give a verdict or a refusal, not both');
  set('dialect', oneOf(body.dialect, 'dialect', WORD));
  set('kind', oneOf(body.kind, 'kind', CHECK_KINDS));
  if (body.checkId !== undefined && body.checkId !== null && body.checkId !== '') {
    const id = canonicalCheckId(text(body.checkId, 'checkId', 40));
    if (!/^[0-9a-f]{32}$/.test(id)) throw new ConsoleError(400, 'invalid', 'checkId must be 32 hex digits or a UUID');
    query.checkId = id;
  }
  if (body.factor !== undefined && body.factor !== null && body.factor !== '') {
    const factor = body.factor as { name?: unknown; value?: unknown };
    const name = oneOf(factor.name, 'factor', FACTOR_NAMES) as FactorName;
    if (name) query.factor = { name, value: text(factor.value, 'the factor to look up', 100) };
  }
  return query;
}

function limitOf(value: unknown, max: number, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ConsoleError(400, 'invalid', `limit must be a whole number from 1 to ${max}`);
  return n;
}

/** The audit page: masked records by the CLI's filters and their export (src/audit/search.ts), and the operators' log. */
export function auditRoutes(app: FastifyInstance, context: ConsoleContext): void {
  const { store, hasher } = context;

  app.post('/api/audit/search', { config: { rule: { action: 'audit.search' } } }, async (request) => {
    const trail = trailOf(context);
    const body = fields(request);
    const query = queryOf(body);
    const limit = limitOf(body.limit, 1000, 100);
    const filter = toFilter(query, hasher);
    request.detail = { ...filter, limit };
    // Who looked, at what (a factor as its keyed hash only), before anything is shown.
    await recordAccess(trail, 'console audit search', filter, consoleOperator(request));
    const records = [];
    for await (const view of searchAudit(trail, hasher, query, { limit, newestFirst: true })) records.push(view);
    return { records };
  });

  app.post('/api/audit/export', { config: { rule: { action: 'audit.export' } } }, async (request, reply) => {
    const trail = trailOf(context);
    const body = fields(request);
    const format = oneOf(body.format, 'format', ['csv', 'jsonl']) ?? 'csv';
    const query = queryOf(body);
    const filter = toFilter(query, hasher);
    request.detail = { ...filter, format };
    await recordAccess(trail, 'console audit export', filter, consoleOperator(request));
    const lines: string[] = format === 'csv' ? [`${CSV_COLUMNS.join(',')}\n`] : [];
    for await (const view of searchAudit(trail, hasher, query, { newestFirst: true })) lines.push(format === 'csv' ? `${csvRow(view)}\n` : `${JSON.stringify(view)}\n`);
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="realname-audit.${format}"`)
      .send(lines.join(''));
  });

  app.get('/api/operators/actions', async (request) => {
    const q = request.query as Record<string, unknown>;
    const operator = oneOf(q.operator, 'operator', WORD);
    const action = oneOf(q.action, 'action', WORD);
    return { actions: await store.operators.actions({ ...(operator ? { operator } : {}), ...(action ? { action } : {}), limit: 200 }) };
  });
}
