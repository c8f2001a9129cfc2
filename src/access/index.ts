/** The access layer's public face: the gate, its refusals, tenants as the dialects see them. */
export {
  createGate,
  GATE_STEPS,
  type CheckPath,
  type Claim,
  type CoreStep,
  type Decision,
  type DialectChecks,
  type Gate,
  type GatePlan,
  type GateServices,
  type GateStep,
} from './gate.ts';
export { REFUSALS, REFUSED, type Refusal, type Refused } from './refusal.ts';
export { ApiKeys, ApiKeyError, API_KEY_PREFIX, type KeyVerdict, type ListedKey } from './api-keys.ts';
export { createReplayGuard, type ReplayGuard } from './replay.ts';
export { clientAddress, type ClientAddress, type ClientRequest } from './client-ip.ts';
export { createAccessRules } from './rules.ts';
export type { AccessRules, OpenSecret, TenantDirectory } from './types.ts';
