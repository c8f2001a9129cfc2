import type { FastifyInstance } from 'fastify';
import { canonicalCheckId } from '../../core/index.ts';
import { BATCH_DIALECT, type AuditedCheck, type Services } from '../../service/index.ts';
import type { WireAnswer } from '../define.ts';
import { AUDITED_CHECK, PROBLEM } from './schemas.ts';
import { problem } from './present.ts';
import { problemType, type ProblemName } from './problems.ts';
import { bearerOf } from './bearer.ts';

/** The name this dialect's audit records carry. */
export const REST_DIALECT = 'rest';

/** The audit's record as GET /v1/checks/{id} answers it: masked factors, never more than the audit holds. */
export function auditedBody(record: AuditedCheck): Record<string, unknown> {
  const mismatched = (record as { mismatched?: unknown }).mismatched;
  return {
    id: record.checkId,
    kind: record.kind,
    verdict: record.verdict,
    ...(Array.isArray(mismatched) ? { mismatched } : {}),
    refusal: record.refusal,
    // The problem its refusal was answered with: its audited code, for the checks /v1 itself answered.
    ...(record.refusal !== null && (record.dialect === REST_DIALECT || record.dialect === BATCH_DIALECT) ? { problem: problemType(record.code as ProblemName) } : {}),
    source: record.source,
    billed: record.billed,
    factors: record.masked,
    createdAt: new Date(record.at).toISOString(),
  };
}

/** The app a read is made for, or the problem that refuses it: the key, suspension and the allow-list, as for a check. */
export async function reader(services: Services, authorization: string | undefined, clientIp: string): Promise<{ appid: string } | { problem: ProblemName }> {
  const bearer = bearerOf(authorization);
  if (bearer === 'missing') return { problem: 'api_key_missing' };
  if (bearer === 'malformed') return { problem: 'api_key_malformed' };
  const key = await services.apiKeys.verify(bearer.token);
  if (!key.ok) return { problem: key.reason === 'malformed' ? 'api_key_malformed' : key.reason === 'revoked' ? 'api_key_revoked' : 'api_key_invalid' };
  const app = await services.tenants.app(key.appid);
  if (!app) return { problem: 'api_key_invalid' };
  if (app.suspended) return { problem: 'app_suspended' };
  if (!services.access.ipAllowed(app, clientIp)) return { problem: 'ip_denied' };
  return { appid: app.appid };
}

const CHECK_ID = /^[0-9a-f]{32}$/;

export const READ_SCHEMA = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The check id (32 hex digits, or as a UUID).' } } },
  response: { 200: AUDITED_CHECK, '4xx': PROBLEM },
} as const;

/** GET /v1/checks/{id}: a check read back from the audit, for the app that made it (another app's id is not found). */
export function readRoute(instance: FastifyInstance, services: Services): void {
  instance.get<{ Params: { id: string } }>('/v1/checks/:id', { schema: READ_SCHEMA }, async (request, reply) => {
    const exchange = { checkId: services.newCheckId(), startedAt: services.clock() };
    const send = (wire: WireAnswer) => {
      reply.code(wire.status ?? 200);
      if (wire.headers) reply.headers(wire.headers);
      if (wire.contentType) reply.type(wire.contentType);
      return reply.send(wire.payload);
    };
    const who = await reader(services, request.headers.authorization, services.clientIp(request));
    if ('problem' in who) return send(problem(who.problem, exchange));
    const checkId = canonicalCheckId(request.params.id);
    const record = CHECK_ID.test(checkId) ? await services.audit.find(who.appid, checkId) : undefined;
    if (!record) return send(problem('check_not_found', exchange));
    return send({ code: 'ok', payload: auditedBody(record) });
  });
}
