import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll, IsolatedCircuitError } from 'cockatiel';
import type { CheckKind, Factors } from '../../core/index.ts';
import type { Logger } from '../../log.ts';
import type { SourceSettings } from '../../store/types.ts';
import { SourceFailure, type Source, type SourceAnswer, type SourceCall } from '../types.ts';
import type { UsageLedger } from './usage.ts';

export type BreakerState = 'ok' | 'open' | 'half-open';

export interface GuardedSource extends Source {
  breaker(): BreakerState;
}

/**
 * An adapter behind what protects the house and the bill: a circuit breaker (cockatiel: open after
 * `breakerFailures` consecutive failures, one probe after `breakerProbeMs`), the daily budget (calls in
 * flight count at their cost, so a node never overshoots it), and the ledger of every call. A call that
 * left and got no answer (a time limit, a reset) may have been billed: the ledger and the budget count it
 * at its cost, marked `maybeBilled` so the operator can reconcile with the vendor's invoice; one refused
 * before it left costs nothing. A skipped call (open breaker, budget) was never sent: the next source is
 * asked; a spent budget is logged once per source and day. `settings()` is read on every call, so a
 * changed cost or budget applies at once.
 */
export function guardSource(
  name: string,
  kinds: ReadonlySet<string>,
  ask: (kind: CheckKind, factors: Factors, call: SourceCall) => Promise<SourceAnswer>,
  settings: () => SourceSettings,
  deps: { ledger: UsageLedger; logger: Logger },
): GuardedSource {
  const initial = settings();
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: initial.breakerProbeMs, breaker: new ConsecutiveBreaker(initial.breakerFailures) });
  breaker.onStateChange((state) => deps.logger.warn({ source: name, breaker: stateName(state) }, 'sources: circuit breaker changed'));
  const stateOf = (): BreakerState => stateName(breaker.state);
  deps.ledger.watchBreaker(name, () => breaker.state !== CircuitState.Closed);
  let reserved = 0;
  let budgetSpentOn: string | undefined;

  return {
    name,
    upstream: true,
    breaker: stateOf,
    supports: (kind) => kinds.has(kind),
    async check(kind, factors, call) {
      const { costFen, dailyBudgetFen } = settings();
      if (dailyBudgetFen !== null) {
        const spentFen = deps.ledger.spentToday(name) + reserved;
        if (spentFen + costFen > dailyBudgetFen) {
          const day = deps.ledger.day();
          if (budgetSpentOn !== day) {
            budgetSpentOn = day;
            deps.logger.warn({ source: name, spentFen, costFen, dailyBudgetFen, day }, 'sources: daily budget spent; the source is skipped until the day ends (Asia/Shanghai)');
          }
          throw new SourceFailure('unreachable', 'over its daily budget', { code: 'budget' });
        }
      }
      const started = performance.now();
      reserved += costFen;
      let sent = false;
      const watched: SourceCall = {
        checkId: call.checkId,
        get signal() {
          return call.signal;
        },
        sent() {
          sent = true;
          call.sent?.();
        },
      };
      // One line and one ledger entry per upstream call: who, how long, the vendor's code, what it cost — never a factor.
      const note = (ok: boolean, code: string, billed: boolean, maybeBilled = false) => {
        const ms = performance.now() - started;
        const cost = billed || maybeBilled ? costFen : 0;
        deps.ledger.record(name, { ms, ok, billed, maybeBilled, costFen: cost, code });
        const line = { checkId: call.checkId, source: name, code, ms: Math.round(ms), billed, costFen: cost };
        deps.logger.info(maybeBilled ? { ...line, maybeBilled } : line, 'upstream call');
      };
      try {
        const answer = await breaker.execute(() => ask(kind, factors, watched));
        const billed = answer.vendor?.billed === true;
        note(true, answer.vendor?.code ?? answer.verdict, billed);
        return answer;
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new SourceFailure('unreachable', 'circuit breaker open', { code: 'open' });
        }
        const failure = error instanceof SourceFailure ? error : new SourceFailure('error', 'adapter fault');
        // Sent and no answer (reset, or our time limit cut it short): the vendor may have answered and billed all the same.
        const maybeBilled = failure.ambiguous || (sent && call.signal.aborted);
        note(false, failure.code ?? (call.signal.aborted ? 'timeout' : failure.failure), false, maybeBilled);
        throw failure;
      } finally {
        reserved -= costFen;
      }
    },
  };
}

function stateName(state: CircuitState): BreakerState {
  return state === CircuitState.Closed ? 'ok' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
}
