import type { AuditRecord, AuditSink } from '../store/types.ts';
import type { FactorHasher } from './lookup.ts';
import { maskFactors } from './redact.ts';
import type { Auditor, AuditEntry } from './types.ts';

/** Turns a dialect's report into an audit record: factors masked and hashed here, once, for every dialect. */
export function createAuditor(sink: AuditSink, clock: () => number, hasher?: FactorHasher, observe?: (record: AuditRecord) => void): Auditor {
  return {
    record(entry: AuditEntry): void {
      const outcome = entry.outcome;
      const record: AuditRecord = {
        checkId: entry.checkId,
        at: entry.startedAt,
        appid: entry.appid,
        dialect: entry.dialect,
        route: entry.route ?? null,
        kind: entry.kind,
        verdict: outcome?.verdict ?? null,
        refusal: entry.refusal ?? null,
        code: entry.code,
        masked: maskFactors(entry.factors),
        ...(hasher ? { hashes: hasher.hashes(entry.factors) } : {}),
        source: outcome?.source ?? null,
        billed: outcome?.billed ?? false,
        latencyMs: Math.max(0, clock() - entry.startedAt),
        clientIp: entry.clientIp ?? null,
      };
      sink.write(record);
      observe?.(record);
    },
  };
}
