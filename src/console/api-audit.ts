import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalCheckId } from '../core/check-id.ts';
import type { ConsoleContext } from './context.ts';
import { ConsoleError, queryValue } from './http.ts';
import { csvHeader, exportLine, searchAudit, SCAN_LIMIT, type AuditFilter } from './audit-search.ts';

function time(request: FastifyRequest, name: string): number | undefined {
  const v = queryValue(request, name);
  if (v === undefined) return undefined;
  const at = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(at)) throw new ConsoleError(400, 'invalid', `${name} must be a time (ISO 8601, e.g. 2026-12-01T08:00:00Z)`);
  return at;
}

const WORD = /^[a-z0-9_.-]{1,64}$/;

function word(request: FastifyRequest, name: string): string | undefined {
  const v = queryValue(request, name);
  if (v !== undefined && !WORD.test(v)) throw new ConsoleError(400, 'invalid', `${name} must be a word of letters, digits, '_', '-' or '.'`);
  return v;
}

/** The filters of a query string (no factor is ever one: a person is looked up by POST, on the subjects page). */
function filterOf(request: FastifyRequest, maxLimit: number): AuditFilter {
  const given = queryValue(request, 'checkId');
  const checkId = given === undefined ? undefined : canonicalCheckId(given);
  if (checkId !== undefined && !/^[0-9a-f]{32}$/.test(checkId)) throw new ConsoleError(400, 'invalid', 'checkId must be 32 hex digits or a UUID');
  if (queryValue(request, 'verdict') && queryValue(request, 'refusal')) throw new ConsoleError(400, 'invalid', 'give a verdict or a refusal, not both');
  const limitText = queryValue(request, 'limit');
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) throw new ConsoleError(400, 'invalid', `limit must be a whole number from 1 to ${maxLimit}`);
  const filter: AuditFilter = { limit };
  const assign = (key: keyof AuditFilter, value: string | number | undefined) => {
    if (value !== undefined) (filter as unknown as Record<string, unknown>)[key] = value;
  };
  assign('appid', word(request, 'app'));
  assign('since', time(request, 'since'));
  assign('until', time(request, 'until'));
  assign('verdict', word(request, 'verdict'));
  assign('refusal', word(request, 'refusal'));
  assign('dialect', word(request, 'dialect'));
  assign('checkId', checkId);
  return filter;
}

/** The audit page: masked records by the CLI's filters, their export, and the operators' own log. */
export function auditRoutes(app: FastifyInstance, { store }: ConsoleContext): void {
  app.get('/api/audit', { config: { rule: { action: 'audit.search' } } }, async (request) => {
    const filter = filterOf(request, 1000);
    request.detail = { ...filter };
    return searchAudit(store.audit, filter);
  });

  app.get('/api/audit/export', { config: { rule: { action: 'audit.export' } } }, async (request, reply) => {
    const format = queryValue(request, 'format') ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') throw new ConsoleError(400, 'invalid', 'format must be csv or jsonl');
    const filter = filterOf(request, SCAN_LIMIT);
    if (queryValue(request, 'limit') === undefined) filter.limit = SCAN_LIMIT;
    request.detail = { ...filter, format };
    const { records } = await searchAudit(store.audit, filter);
    const body = (format === 'csv' ? csvHeader() : '') + records.map((r) => exportLine(r, format)).join('');
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="realname-audit.${format}"`)
      .send(body);
  });

  app.get('/api/operators/actions', async (request) => {
    const operator = word(request, 'operator');
    const action = word(request, 'action');
    return { actions: await store.operators.actions({ ...(operator ? { operator } : {}), ...(action ? { action } : {}), limit: 200 }) };
  });
}
