import type { FastifyBaseLogger } from 'fastify';
import type { Auditor, AuditEntry } from '../../service/types.ts';
import { describeError } from './errors.ts';

/**
 * Records one answered request. A failing auditor never stops the answer: the failure is logged with
 * the check id only, never the entry (it holds factors).
 */
export function recordAnswer(auditor: Auditor, log: FastifyBaseLogger, entry: AuditEntry): void {
  try {
    auditor.record(entry);
  } catch (err) {
    log.error({ sessionId: entry.checkId, error: describeError(err) }, `${entry.dialect}: audit record failed`);
  }
}
