import { createGate, REFUSED, type Claim, type Decision, type GateStep, type KeyVerdict } from '../../access/index.ts';
import { isCheckKind, type BillingTable } from '../../core/index.ts';
import type { Services } from '../../service/index.ts';
import type { Decide, Exchange, Replayed, WireAnswer } from '../define.ts';
import { bearerOf } from './bearer.ts';
import type { RestBody } from './body.ts';
import { factorsSent, restChecks, type Evidence } from './checks.ts';
import { present } from './present.ts';

/**
 * The key (the app it names) → the key's secret → the body (content type, JSON, the check's shape) →
 * suspended → not permitted → IP → QPS → invalid factors (a result) → identity daily limit → quota → the verdict.
 */
export const ORDER: readonly GateStep[] = ['app', 'signature', 'request', 'suspended', 'permitted', 'ip', 'rate', 'validate', 'daily', 'quota'];

/** RFC 9110 token-ish: printable ASCII, 1–255 characters (a UUID, say). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Answers a retry may overcome are not kept for the key: the quota, the rate, a source, a suspension may change. */
const KEPT_STATUSES = new Set([200, 400, 415, 422]);

/** The dialect's answer to a parsed request, with no HTTP in it. */
export function createDecide(services: Services, billing: BillingTable): Decide {
  const gate = createGate<Evidence>(services, { dialect: 'rest', order: ORDER, checks: restChecks(), billing });

  /** The gate's decision and the answer it is presented as: the field errors travel in the exchange. */
  const decideAndPresent = async (claim: Claim, evidence: Evidence, exchange: Exchange): Promise<{ decision: Decision; wire: WireAnswer }> => {
    const decision = await gate(claim, evidence);
    if (evidence.fieldErrors) exchange.answerOptions = { ...exchange.answerOptions, errors: JSON.stringify(evidence.fieldErrors) };
    return { decision, wire: present(decision, exchange) };
  };

  return async (arrival, exchange): Promise<Decision | Replayed> => {
    const body = arrival.body as RestBody | undefined;
    // The kind and factors sent, for the audit (masked there), whatever is refused later.
    const kind = body?.json?.ok ? body.json.value.kind : undefined;
    if (typeof kind === 'string' && isCheckKind(kind)) exchange.kind = kind;
    exchange.factors = factorsSent(body);

    const bearer = bearerOf(arrival.headers.authorization);
    if (bearer === 'missing') return REFUSED.signature_missing;
    if (bearer === 'malformed') return REFUSED.signature_malformed;
    const key: KeyVerdict = await services.apiKeys.verify(bearer.token);
    if (!key.ok && key.reason === 'malformed') return REFUSED.signature_malformed;

    const claim: Claim = { checkId: exchange.checkId, kind: null, factors: {}, clientIp: arrival.clientIp, appid: key.appid };
    const evidence: Evidence = { key, body };
    const idempotencyKey = arrival.headers['idempotency-key'];
    if (idempotencyKey === undefined || !key.ok) return (await decideAndPresent(claim, evidence, exchange)).decision;

    // Only an authentic request reaches the app's idempotent answers.
    const app = await services.tenants.app(key.appid);
    if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)) return { refusal: 'bad_request', detail: 'Idempotency-Key', app };
    let first: Decision | undefined;
    const answered = await services.idempotency.run(
      key.appid,
      idempotencyKey,
      body?.raw ?? Buffer.alloc(0),
      async () => {
        const { decision, wire } = await decideAndPresent(claim, evidence, exchange);
        first = decision;
        return wire;
      },
      (wire) => KEPT_STATUSES.has(wire.status ?? 200),
    );
    switch (answered.kind) {
      case 'first':
        return first!;
      case 'replay':
        return { replayed: { ...answered.value, headers: { ...answered.value.headers, 'idempotent-replayed': 'true' } }, appid: key.appid };
      case 'conflict':
        exchange.answerOptions = { problem: 'idempotency_key_reused' };
        return { refusal: 'parameter_value_invalid', detail: 'Idempotency-Key', app };
      case 'busy':
        exchange.answerOptions = { problem: 'idempotency_in_progress' };
        return { refusal: 'rate_limited', detail: 'Idempotency-Key', app };
    }
  };
}
