import type { DialectUnderTest } from '../dialects/types.ts';
import type { WireResult } from '../../helpers/wire.ts';
import type { AuditRow } from './house.ts';

/**
 * What the clients of one installation saw, over the whole run: the answers, the check ids they name,
 * what was billed, and the checks cut off by a kill. At the end it is held against the audit log and
 * the quota the store has left.
 */
export class Ledger {
  /** Dialect answers received (each must have its audit record). */
  answers = 0;
  /** Check ids named by the answers received. */
  readonly ids = new Set<string>();
  /** Billed answers received. */
  billed = 0;
  /** Requests that were validly signed checks and got no answer (cut off by a kill). */
  cutOff = 0;

  /** Books what came back for a request; returns the dialect answers read. */
  book(dialect: DialectUnderTest, result: WireResult, billable = false): ReturnType<DialectUnderTest['answer']>[] {
    const answers = result.responses.map((r) => dialect.answer(r)).filter((a) => a !== undefined);
    for (const answer of answers) {
      this.answers++;
      if (answer.checkId) this.ids.add(answer.checkId);
      if (dialect.codes.billed.includes(answer.code)) this.billed++;
    }
    if (billable && answers.length === 0) this.cutOff++;
    return answers;
  }

  /**
   * Held against the audit log and the store's quota. Missing: answers whose id is not in the log, and
   * answers beyond the log's rows. Quota: every unit spent has a billed record, every billed record a
   * unit, every billed answer a record — except units spent by checks a kill cut off before their record.
   */
  reckon(rows: AuditRow[], quotaSpent: number): { missing: number; quota: number } {
    const logged = new Set(rows.map((r) => r.checkId));
    const missing = [...this.ids].filter((id) => !logged.has(id)).length + Math.max(0, this.answers - rows.length);
    const billedRows = rows.filter((r) => r.billed).length;
    const doubled = Math.max(0, billedRows - quotaSpent) + Math.max(0, this.billed - billedRows);
    const lost = Math.max(0, quotaSpent - billedRows - this.cutOff);
    return { missing, quota: doubled + lost };
  }
}
