import { createGate, REFUSED, type Claim, type GateStep } from '../../access/index.ts';
import type { BillingTable } from '../../core/index.ts';
import { ACTIONS, factorsOf, isActionName, parseAuthorization, type IncomingTc3Request, type RequestOf } from '../../protocols/tencentcloud/index.ts';
import type { Services } from '../../service/index.ts';
import type { Decide } from '../define.ts';
import type { Tc3Body } from './body.ts';
import { headerValue, tc3Checks, type Evidence } from './checks.ts';

/**
 * The vendor's order after the body is read (RequestSizeLimitExceeded) and the Authorization parsed
 * (AuthFailure.InvalidAuthorization): SecretId (the key names the app) → timestamp window and signature →
 * action → version → fields → encryption → suspended → not permitted → IP → QPS → invalid field (a
 * Result) → identity daily limit (a Result) → quota → the verdict.
 */
export const ORDER: readonly GateStep[] = ['secret', 'signature', 'request', 'suspended', 'permitted', 'ip', 'rate', 'validate', 'daily', 'quota'];

const NO_BODY = Buffer.alloc(0);
/** An X-TC-TraceId worth echoing (the SDK sends a UUID and reads the answer's header into its errors). */
const TRACE_ID = /^[0-9A-Za-z-]{1,64}$/;

/** The dialect's answer to a parsed request, with no HTTP in it. */
export function createDecide(services: Services, billing: BillingTable): Decide {
  const gate = createGate<Evidence>(services, { dialect: 'tencentcloud', order: ORDER, checks: tc3Checks(), billing });
  return async (arrival, exchange) => {
    const { headers } = arrival;
    const body = arrival.body as Tc3Body | undefined;
    const action = headerValue(headers['x-tc-action']);
    // The kind and factors sent, for the audit (masked there), whatever is refused later.
    if (action !== undefined && isActionName(action)) {
      exchange.kind = ACTIONS[action].kind;
      if (body?.json?.ok) exchange.factors = factorsOf(action, body.json.value as RequestOf<typeof action>);
    }
    const traceId = headers['x-tc-traceid'];
    if (typeof traceId === 'string' && TRACE_ID.test(traceId)) exchange.answerOptions = { traceId };

    const parsed = parseAuthorization(headers.authorization);
    if (!parsed.ok) return parsed.reason === 'missing' ? REFUSED.signature_missing : REFUSED.signature_malformed;
    const q = arrival.url.indexOf('?');
    const request: IncomingTc3Request = {
      method: 'POST',
      path: q < 0 ? arrival.url : arrival.url.slice(0, q),
      query: q < 0 ? '' : arrival.url.slice(q + 1),
      headers,
      body: body?.raw ?? NO_BODY,
    };
    const claim: Claim = { checkId: exchange.checkId, kind: null, factors: {}, clientIp: arrival.clientIp, secretId: parsed.authorization.secretId };
    const decision = await gate(claim, { request, authorization: parsed.authorization, json: body?.json });
    // Known to be a valid request once the kind is named: VerifyMode "1" asks PhoneVerification for its ResultDetail.
    if (claim.kind === 'phone3' && body?.json?.ok && body.json.value.VerifyMode === '1') exchange.answerOptions = { ...exchange.answerOptions, verifyMode: '1' };
    return decision;
  };
}
