import type { AuditRecord } from '../store/types.ts';
import type { Refusal } from '../access/index.ts';
import type { CheckKind, Factors, Outcome } from '../core/index.ts';

/** What a dialect reports once it has answered; the auditor masks the factors itself. */
export interface AuditEntry {
  checkId: string;
  appid: string | null;
  dialect: string;
  kind: CheckKind | null;
  factors: Factors;
  outcome?: Outcome | undefined;
  /** Why the request was refused, when it was (the closed set), beside the dialect's wire code. */
  refusal?: Refusal | undefined;
  code: string;
  startedAt: number;
  /** The route as registered, and the client address the allow-lists judged. */
  route?: string | undefined;
  clientIp?: string | undefined;
}

export interface Auditor {
  record(entry: AuditEntry): void;
}

/** A check as the audit holds it: masked factors, verdict or refusal, source, billed, time. */
export type AuditedCheck = AuditRecord;

/** Reading one check back (the REST dialect's GET /v1/checks/{id}). */
export interface AuditReader {
  /** The app's record of the check, or undefined (another app's check is not found either). */
  find(appid: string, checkId: string): Promise<AuditedCheck | undefined>;
}
