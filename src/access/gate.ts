import type { BillingTable, CheckKind, Factors, Invalid, Outcome } from '../core/index.ts';
import type { App } from '../store/types.ts';
import { REFUSED, type Refused } from './refusal.ts';
import type { ReplayGuard } from './replay.ts';
import type { AccessRules, OpenSecret, TenantDirectory } from './types.ts';

/**
 * The gate's steps. A dialect lists them in its vendor's order; the first that fails answers.
 * - app: the claimed appid names an app (app_unknown)
 * - secret: the claimed key id is live (secret_unknown) and the app's (secret_app_mismatch); it names
 *   the app when the protocol carries no appid (TC3)
 * - signature: the dialect's own verifier (any signature, target, bucket or timestamp refusal, in its order)
 * - replay: a single-use signature is used once (replayed), while the app's replay guard is on
 * - request: the dialect's own checks that come after authentication (an action, a version, the fields)
 * - suspended, permitted (the kind), ip (the allow-list)
 * - rate (the app's QPS), validate (offline validation: an invalid outcome), daily (the app's limits
 *   per identity and day, where it sets them), quota — the core's steps, last, handed to the check
 *   path in this order
 */
export const GATE_STEPS = ['app', 'secret', 'signature', 'replay', 'request', 'suspended', 'permitted', 'ip', 'rate', 'validate', 'daily', 'quota'] as const;
export type GateStep = (typeof GATE_STEPS)[number];

/** The steps the check path takes, in the order a dialect gives (the rate unit is spent before quota). */
export type CoreStep = Extract<GateStep, 'rate' | 'validate' | 'daily' | 'quota'>;
const CORE_STEPS: ReadonlySet<GateStep> = new Set<CoreStep>(['rate', 'validate', 'daily', 'quota']);

/** What a request claims, as the dialect read it; the gate fills in what it learns. */
export interface Claim {
  checkId: string;
  /** When the request arrived (ms): the instant its QPS unit is counted at, as the audit records it. */
  at?: number;
  /** Null while the request has not yet named a kind the dialect knows (TC3 names it in X-TC-Action, read by the request step). */
  kind: CheckKind | null;
  factors: Factors;
  /** A factor the dialect found invalid on its own (TC3's CertType other than 0): answered at the validate step. */
  rejected?: Invalid | undefined;
  clientIp: string;
  /** The appid the request names, if its protocol carries one. */
  appid?: string | undefined;
  /** The key id the signature names, if its protocol has key pairs. */
  secretId?: string | undefined;
}

/** The gate's answer: a refusal (with the app once it is known, for the audit) or the core's outcome. */
export type Decision = (Refused & { app?: App | undefined }) | { outcome: Outcome; app: App };

/**
 * The dialect's part of the gate, made once per dialect; `E` is what it keeps of one request to judge
 * it (its parsed signature, say). Each function answers undefined to let the request on.
 */
export interface DialectChecks<E> {
  /** The `signature` step: verify with the app's key material, at `nowMs`. */
  signature(evidence: E, app: App, secret: OpenSecret | undefined, nowMs: number): Refused | undefined;
  /** For the `replay` step: the token and lifetime of a single-use signature, or undefined when multi-use. */
  singleUse?(evidence: E, nowMs: number): { token: string; ttlMs: number } | undefined;
  /** The `request` step: may set `claim.kind`, `claim.factors` and `claim.rejected` once the request is known to be authentic. */
  request?(evidence: E, claim: Claim, app: App): Refused | undefined;
}

/** The check path behind the gate (service/verifier.ts). */
export interface CheckPath {
  verify(request: {
    checkId: string;
    app: App;
    kind: CheckKind;
    factors: Factors;
    /** When the request arrived (default: now). */
    at?: number | undefined;
    /** A factor the dialect found invalid: answered in validation's place instead of validating. */
    rejected?: Invalid | undefined;
    /** Default: rate, validate, quota. */
    order?: readonly CoreStep[];
    /** Default: every verdict billed. */
    billing?: BillingTable;
  }): Promise<{ outcome: Outcome } | Refused>;
}

export interface GateServices {
  clock: () => number;
  tenants: TenantDirectory;
  access: AccessRules;
  replay: ReplayGuard;
  verifier: CheckPath;
}

export interface GatePlan<E> {
  dialect: string;
  order: readonly GateStep[];
  checks: DialectChecks<E>;
  billing: BillingTable;
}

export type Gate<E> = (claim: Claim, evidence: E) => Promise<Decision>;

/**
 * One gate for every dialect: runs the plan's steps in order and answers the first refusal, or hands
 * the core's steps (the plan's tail) to the check path. A plan is checked when it is made: each step
 * at most once, the core's steps last, the rate before the quota, an app known before it is judged.
 */
export function createGate<E>(services: GateServices, plan: GatePlan<E>): Gate<E> {
  const { tenants, access, replay, verifier, clock } = services;
  const { dialect, checks, billing } = plan;
  const steps = checkPlan(plan.order, checks);
  const order = plan.order.filter((s): s is CoreStep => CORE_STEPS.has(s));

  return async (claim, evidence) => {
    let app: App | undefined;
    let secret: OpenSecret | undefined;
    for (let i = 0; i < steps.length; i++) {
      switch (steps[i]) {
        case 'app':
          app = claim.appid === undefined ? undefined : await tenants.app(claim.appid);
          if (app === undefined) return REFUSED.app_unknown;
          break;
        case 'secret': {
          secret = claim.secretId === undefined ? undefined : await tenants.secret(claim.secretId);
          if (secret === undefined || secret.revoked) return app ? { refusal: 'secret_unknown', app } : REFUSED.secret_unknown;
          if (app === undefined) {
            // The key names its app (TC3 carries no appid): a key whose app is gone is unknown.
            app = await tenants.app(secret.appid);
            if (app === undefined) return REFUSED.secret_unknown;
          } else if (secret.appid !== app.appid) {
            return { refusal: 'secret_app_mismatch', app };
          }
          break;
        }
        case 'signature': {
          const refused = checks.signature(evidence, app!, secret, clock());
          if (refused) return { ...refused, app };
          break;
        }
        case 'replay': {
          const once = checks.singleUse?.(evidence, clock());
          if (once && !(await replay.once(dialect, app!, once.token, once.ttlMs, clock()))) return { refusal: 'replayed', app };
          break;
        }
        case 'request': {
          const refused = checks.request?.(evidence, claim, app!);
          if (refused) return { ...refused, app };
          break;
        }
        case 'suspended':
          if (app!.suspended) return { refusal: 'suspended', app };
          break;
        case 'permitted':
          if (!access.permitted(app!, kindOf(claim))) return { refusal: 'not_permitted', app };
          break;
        case 'ip':
          if (!access.ipAllowed(app!, claim.clientIp)) return { refusal: 'ip_denied', app };
          break;
      }
    }
    const result = await verifier.verify({ checkId: claim.checkId, at: claim.at, app: app!, kind: kindOf(claim), factors: claim.factors, rejected: claim.rejected, order, billing });
    return 'outcome' in result ? { outcome: result.outcome, app: app! } : { ...result, app };
  };
}

/** The claim's kind where one is judged: a dialect that has not named it by then is at fault (answered as internal). */
function kindOf(claim: Claim): CheckKind {
  if (claim.kind === null) throw new Error('gate: the request names no check kind where one is judged');
  return claim.kind;
}

/** The plan's access steps, in order, once the plan is known to be sound; throws on a plan that is not. */
function checkPlan(order: readonly GateStep[], checks: DialectChecks<unknown>): GateStep[] {
  const seen = new Set<GateStep>();
  let core = false;
  for (const step of order) {
    if (seen.has(step)) throw new Error(`gate plan: ${step} twice`);
    seen.add(step);
    if (CORE_STEPS.has(step)) core = true;
    else if (core) throw new Error(`gate plan: ${step} after the core's steps`);
    const needsApp = step !== 'app' && step !== 'secret';
    if (needsApp && !seen.has('app') && !seen.has('secret')) throw new Error(`gate plan: ${step} before the app is known`);
    if (step === 'request' && !checks.request) throw new Error('gate plan: a request step without the dialect check');
  }
  const before = (a: GateStep, b: GateStep) => seen.has(a) && seen.has(b) && order.indexOf(a) < order.indexOf(b);
  if (before('quota', 'rate')) throw new Error('gate plan: quota before rate (the check path spends the rate unit first)');
  // The daily counts are of validated (canonical) factors, and a check refused by them spends no quota.
  if (seen.has('daily') && !before('validate', 'daily')) throw new Error('gate plan: daily without validate before it');
  if (before('daily', 'rate') || before('quota', 'daily')) throw new Error('gate plan: daily must come after rate and before quota');
  if (!seen.has('app') && !seen.has('secret')) throw new Error('gate plan: the app is never known');
  return order.filter((s) => !CORE_STEPS.has(s));
}
