import { createGate, REFUSED, type GateStep } from '../../access/index.ts';
import type { BillingTable } from '../../core/index.ts';
import type { Services } from '../../service/index.ts';
import type { Decide } from '../define.ts';
import type { BodyParse } from './body.ts';
import { submailChecks } from './checks.ts';
import { readCheckRequest, type SubmailRequest } from './request.ts';

/**
 * The vendor's order after the body is read (1224 → 1209 → 1210 → 1212 → 1209 → 1208 come first):
 * 1201 → 1202 → 1213 → 1204 → 1220 → 1206 → 1218 → 1216 → 1215/1222/1242 → 1203 → the verdict.
 */
export const ORDER: readonly GateStep[] = ['app', 'ip', 'signature', 'replay', 'suspended', 'permitted', 'rate', 'validate', 'quota'];

export interface SubmailOptions {
  /** How far `timestamp` may lie from our clock, either side (default 5 minutes). */
  timestampWindowMs: number;
}

/** The dialect's answer to a parsed request, with no HTTP in it. */
export function createDecide(services: Services, options: SubmailOptions, billing: BillingTable): Decide {
  const checks = submailChecks(services.tenants, options.timestampWindowMs);
  const gate = createGate<SubmailRequest>(services, { dialect: 'submail', order: ORDER, checks, billing });
  return async (arrival, exchange) => {
    const read = readCheckRequest(exchange.kind, arrival.body as BodyParse | undefined);
    exchange.factors = read.ok ? read.request.factors : read.factors;
    if (!read.ok) return REFUSED[read.refusal];
    const { request } = read;
    return gate({ checkId: exchange.checkId, at: exchange.startedAt, kind: exchange.kind, factors: request.factors, clientIp: arrival.clientIp, appid: request.appid }, request);
  };
}
