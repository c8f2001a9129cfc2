import { createGate, REFUSED, type GateStep } from '../../access/index.ts';
import type { BillingTable } from '../../core/index.ts';
import { parseAuthorization } from '../../protocols/tencent-image/signature.ts';
import type { Services } from '../../service/index.ts';
import type { Decide } from '../define.ts';
import { readCheckRequest, type BodyParse } from './body.ts';
import { type Evidence, imageChecks, impossibleTimes } from './checks.ts';
import { SignatureMemo } from './signature-memo.ts';

/**
 * The vendor's order after the body is read (23 and 21 come first):
 * 4/5 → 10 → 11 → 12 → 6 → 16 → 14 → 9 → 13 → 3 → 24 → 15 → -5806/-5804/-5808 → 25 → the verdict.
 */
export const ORDER: readonly GateStep[] = ['app', 'secret', 'signature', 'replay', 'suspended', 'permitted', 'ip', 'rate', 'validate', 'quota'];

/** The dialect's answer to a parsed request, with no HTTP in it. */
export function createDecide(services: Services, billing: BillingTable): Decide {
  const memo = new SignatureMemo();
  const gate = createGate<Evidence>(services, { dialect: 'tencent-image', order: ORDER, checks: imageChecks(memo), billing });
  return async (arrival, exchange) => {
    const read = readCheckRequest(exchange.kind, arrival.body as BodyParse | undefined);
    exchange.factors = read.ok ? read.request.factors : read.factors;
    if (!read.ok) return REFUSED.bad_request;

    // Verified multi-use signatures are remembered by header: parsed and HMAC-checked once.
    const header = arrival.headers.authorization;
    const known = memo.recall(header);
    let signature;
    if (known) signature = known.signature;
    else {
      const parsed = parseAuthorization(header);
      if (!parsed.ok) return REFUSED[parsed.refusal];
      signature = parsed.signature;
    }
    const impossible = impossibleTimes(signature, services.clock());
    if (impossible) return impossible;
    const claim = {
      checkId: exchange.checkId,
      at: exchange.startedAt,
      kind: exchange.kind,
      factors: exchange.factors,
      clientIp: arrival.clientIp,
      appid: signature.fields.appid,
      secretId: signature.fields.secretId,
    };
    return gate(claim, { header, signature, request: read.request, known });
  };
}
