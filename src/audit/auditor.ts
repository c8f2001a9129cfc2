import type { AuditSink } from '../store/types.ts';
import { maskFactors } from './redact.ts';
import type { Auditor, AuditEntry } from './types.ts';

/** Turns a dialect's report into an audit record: factors masked here, once, for every dialect. */
export function createAuditor(sink: AuditSink, clock: () => number): Auditor {
  return {
    record(entry: AuditEntry): void {
      const outcome = entry.outcome;
      sink.write({
        checkId: entry.checkId,
        at: entry.startedAt,
        appid: entry.appid,
        dialect: entry.dialect,
        kind: entry.kind,
        verdict: outcome?.verdict ?? null,
        refusal: entry.refusal ?? null,
        code: entry.code,
        masked: maskFactors(entry.factors),
        source: outcome?.source ?? null,
        billed: outcome?.billed ?? false,
        latencyMs: Math.max(0, clock() - entry.startedAt),
      });
    },
  };
}
