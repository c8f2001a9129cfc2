import type { Refused } from '../../access/index.ts';
import type { Outcome } from '../../core/index.ts';
import type { Exchange, WireAnswer } from '../define.ts';
import { isProblemName, problemAnswer, REFUSAL_PROBLEMS, type ProblemName } from './problems.ts';
import type { FieldError } from './schemas.ts';

export const PROBLEM_JSON = 'application/problem+json';

/** The body of a verdict: the core's Outcome, nothing vendor-shaped. */
export function checkBody(outcome: Outcome, createdAt: number): Record<string, unknown> {
  const { checkId, verdict, kind, source, billed } = outcome;
  return {
    id: checkId,
    kind,
    verdict,
    ...(outcome.verdict === 'mismatch' ? { mismatched: outcome.mismatched } : {}),
    ...(outcome.verdict === 'invalid' ? { invalid: outcome.invalid } : {}),
    ...(outcome.subject ? { subject: outcome.subject } : {}),
    ...(outcome.card ? { card: outcome.card } : {}),
    ...(outcome.phone ? { phone: outcome.phone } : {}),
    ...(outcome.warnings?.length ? { warnings: outcome.warnings } : {}),
    source,
    billed,
    createdAt: new Date(createdAt).toISOString(),
  };
}

/** A problem answer; its audited code is the problem's name. */
export function problem(name: ProblemName, exchange: Pick<Exchange, 'checkId' | 'startedAt'>, extra: { detail?: string; errors?: FieldError[] } = {}): WireAnswer {
  const { status, headers, payload } = problemAnswer(name, exchange.startedAt, { ...extra, checkId: exchange.checkId });
  return { code: name, status, headers, payload, contentType: PROBLEM_JSON };
}

/** The problem a refusal is answered with: the dialect's own reading of it where the exchange names one. */
function problemOf(decision: Refused, exchange: Exchange): ProblemName {
  const named = exchange.answerOptions?.problem;
  if (isProblemName(named)) return named;
  if (decision.refusal === 'bad_request' && decision.detail === 'content-type') return 'unsupported_media_type';
  return REFUSAL_PROBLEMS[decision.refusal];
}

/**
 * HTTP statuses that mean what they say: 200 for a verdict (invalid factors too: a result, unbilled),
 * 503 with Retry-After when no source answered, and a problem+json for every refusal.
 */
export function present(decision: Refused | { outcome: Outcome }, exchange: Exchange): WireAnswer {
  if ('outcome' in decision) {
    const { outcome } = decision;
    if (outcome.verdict === 'unavailable') return problem('source_unavailable', exchange);
    return { code: outcome.verdict, payload: checkBody(outcome, exchange.startedAt) };
  }
  const name = problemOf(decision, exchange);
  const errors = exchange.answerOptions?.errors;
  const detail = decision.refusal === 'bad_request' && decision.detail && decision.detail !== 'content-type' ? `${decision.detail} is malformed` : undefined;
  return problem(name, exchange, {
    ...(detail ? { detail } : {}),
    ...(errors && name === 'invalid_request' ? { errors: JSON.parse(errors) as FieldError[] } : {}),
  });
}
