import type { Outcome } from '../core/outcome.ts';
import { isBilled } from '../core/outcome.ts';
import { validateFactors } from '../core/validate.ts';
import type { SourceRouter } from '../sources/router.ts';
import type { AppStore } from '../store/types.ts';
import { createSpend, type Spend } from './spend.ts';
import type { Clock, Verifier, VerifyResult } from './types.ts';

/**
 * validate → spend (QPS window, then one unit of quota, in one store write where the store can) →
 * sources → settle. Answers come in the dialects' order: over the QPS before invalid input before
 * no quota left. Invalid input spends a unit of the QPS, is never billed and never reaches a source;
 * a unit is given back when no verdict came, so quota is exact.
 */
export function createVerifier(
  apps: AppStore,
  router: SourceRouter,
  clock: Clock,
  spend: Spend = createSpend({ apps }),
  auditAccepting: () => boolean = () => true,
): Verifier {
  return {
    async verify({ checkId, app, kind, factors }): Promise<VerifyResult> {
      // No verdict without its audit record: while the audit log cannot keep one, nothing is spent or asked.
      if (!auditAccepting()) return { outcome: { checkId, kind, verdict: 'unavailable', unavailable: 'unreachable', source: 'audit', billed: false } };
      const now = clock();
      // Validation is pure, so it runs first and the counters are one write, not two.
      const validated = validateFactors(kind, factors, new Date(now));
      const spent = await spend(app, validated.ok, now);
      if (spent === 'rate_limited') return { refusal: 'rate_limited' };
      if (!validated.ok) {
        return { outcome: { checkId, kind, verdict: 'invalid', invalid: validated.invalid, source: 'validation', billed: false } };
      }
      if (spent === 'quota_exhausted') return { refusal: 'quota_exhausted' };
      let answer;
      try {
        answer = await router.check(kind, validated.factors);
      } catch (error) {
        await apps.releaseQuota(app.appid);
        throw error;
      }
      const outcome: Outcome = { checkId, kind, verdict: 'unavailable', source: answer.source, billed: false };
      if (validated.subject) outcome.subject = validated.subject;
      if (validated.card) outcome.card = validated.card;
      if (validated.warnings.length > 0) outcome.warnings = validated.warnings;
      if ('unavailable' in answer) {
        await apps.releaseQuota(app.appid);
        outcome.unavailable = answer.unavailable;
        return { outcome };
      }
      outcome.verdict = answer.verdict;
      outcome.billed = isBilled(answer.verdict);
      if (answer.mismatched) outcome.mismatched = answer.mismatched;
      return { outcome };
    },
  };
}
