import type { CheckPath, CoreStep } from '../access/index.ts';
import { REFUSED } from '../access/index.ts';
import { BILL_EVERY_VERDICT, isBilled, validateFactors, type CheckKind, type Factors, type Outcome, type Validated } from '../core/index.ts';
import type { SourceRouter } from '../sources/index.ts';
import type { Counters } from '../access/counters/index.ts';
import type { App, AppStore, SpendResult } from '../store/types.ts';
import type { DailyLimits, DailyTicket } from './daily.ts';
import { storeCounters } from './spend.ts';
import type { Clock } from './types.ts';

/** The vendors' order, for callers that give none: over the QPS, then invalid input, then no quota left. */
const DEFAULT_ORDER: readonly CoreStep[] = ['rate', 'validate', 'quota'];

/**
 * The core's steps behind the gate: validate → spend (QPS window, then one unit of quota, by lease or in one store
 * write where the store can) → sources → settle, answering in the order the dialect gives. Invalid input
 * never reaches a source and is never billed; a unit is given back when no verdict came or the dialect's
 * billing table does not charge the verdict, so quota is exact. Where the order has the `daily` step and
 * the app limits an identity's checks a day, the identity's count is taken between the rate unit and the
 * quota unit (given back when the quota refuses the check).
 */
export function createVerifier(
  apps: AppStore,
  router: SourceRouter,
  clock: Clock,
  counters: Counters = storeCounters({ apps }),
  daily?: DailyLimits,
  auditAccepting: () => boolean = () => true,
): CheckPath {
  /** The rate unit, the identity's daily count, then the quota unit: the daily count a store write, for apps with a daily limit only. */
  const spendCounted = async (app: App, kind: CheckKind, factors: Factors, reserve: boolean, now: number, rate: boolean) => {
    const spent = await counters.spend(app, false, now, rate);
    if (spent !== 'ok') return { spent };
    const ticket: DailyTicket | undefined = await daily!.take(app, kind, factors, now);
    if (!ticket) return { spent: 'daily_limited' as const };
    const reserved = reserve ? await counters.spend(app, true, now, false) : 'ok';
    if (reserved !== 'ok') await daily!.release(ticket);
    return { spent: reserved };
  };

  return {
    async verify({ checkId, at, app, kind, factors, rejected, order = DEFAULT_ORDER, billing = BILL_EVERY_VERDICT }) {
      // No verdict without its audit record: while the audit log cannot keep one, nothing is spent or asked.
      if (!auditAccepting()) return { outcome: { checkId, kind, verdict: 'unavailable', unavailable: 'unreachable', source: 'audit', billed: false } };
      // The request's own arrival: its QPS unit is counted at the instant the audit records.
      const now = at ?? clock();
      // Validation is pure, so it runs first and the counters are one write, not two. A factor the
      // dialect rejected is answered in its place.
      const validated: Validated = rejected ? { ok: false, invalid: rejected } : validateFactors(kind, factors, new Date(now));
      // Which counters this request reaches, walking the order: a step it fails stops it.
      let rate = false;
      let quota = false;
      let counted = false;
      for (let i = 0; i < order.length; i++) {
        const step = order[i];
        if (step === 'validate' && !validated.ok) break;
        if (step === 'rate') rate = true;
        else if (step === 'daily') counted = daily !== undefined && daily.applies(app, kind);
        else if (step === 'quota') quota = validated.ok;
      }
      let spent: SpendResult | 'daily_limited';
      if (counted && validated.ok) spent = (await spendCounted(app, kind, validated.factors, quota, now, rate)).spent;
      else spent = await counters.spend(app, quota, now, rate);
      for (let i = 0; i < order.length; i++) {
        const step = order[i];
        if (step === 'rate' && spent === 'rate_limited') return REFUSED.rate_limited;
        if (step === 'validate' && !validated.ok) {
          return { outcome: { checkId, kind, verdict: 'invalid', invalid: validated.invalid, source: 'validation', billed: false } };
        }
        if (step === 'daily' && spent === 'daily_limited') return REFUSED.daily_limited;
        if (step === 'quota' && spent === 'quota_exhausted') return REFUSED.quota_exhausted;
      }
      if (!validated.ok) throw new Error('gate order lacks validate');
      // Reserved before the source is asked, so two concurrent checks cannot both spend the last unit.
      const reserved = quota && app.quota !== null;
      let answer;
      try {
        answer = await router.check(kind, validated.factors, checkId, app.appid);
      } catch (error) {
        if (reserved) await counters.giveBack(app);
        throw error;
      }
      let outcome: Outcome;
      if ('unavailable' in answer) {
        outcome = { checkId, kind, verdict: 'unavailable', unavailable: answer.unavailable, source: answer.source, billed: false };
      } else {
        // A cache hit may be configured free (charge: false); otherwise the dialect's table decides.
        const billed = quota && answer.charge !== false && isBilled(billing, kind, answer.verdict);
        outcome =
          answer.verdict === 'mismatch'
            ? { checkId, kind, verdict: 'mismatch', mismatched: answer.mismatched ?? [], source: answer.source, billed }
            : { checkId, kind, verdict: answer.verdict, source: answer.source, billed };
      }
      if (reserved && !outcome.billed) await counters.giveBack(app);
      return { outcome: withFacts(outcome, validated) };
    },
  };
}

/** The facts validation derived (sex, birth date, region; bank and card type; carrier), on the outcome. */
function withFacts(outcome: Outcome, validated: Extract<Validated, { ok: true }>): Outcome {
  if (validated.subject) outcome.subject = validated.subject;
  if (validated.card) outcome.card = validated.card;
  if (validated.phone) outcome.phone = validated.phone;
  if (validated.warnings.length > 0) outcome.warnings = validated.warnings;
  return outcome;
}
