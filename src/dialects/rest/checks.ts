import { Ajv, type ErrorObject } from 'ajv';
import { REFUSED, type Claim, type DialectChecks, type Refused } from '../../access/index.ts';
import { KIND_FACTORS, type CheckKind, type Factor, type Factors } from '../../core/index.ts';
import type { KeyVerdict } from '../../access/index.ts';
import type { RestBody } from './body.ts';
import { CHECK_REQUEST, type FieldError } from './schemas.ts';

/** What the dialect keeps of one request for the gate to judge it. */
export interface Evidence {
  /** The presented key, as verified before the gate (a key's store read is async; the gate's steps are not). */
  key: KeyVerdict;
  body: RestBody | undefined;
  /** Filled by the request step when the body is not a check: each field at fault. */
  fieldErrors?: FieldError[];
}

// No coercion, no defaults, every error: a wrong type is the client's to hear about, never repaired.
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false, removeAdditional: false });
const validateRequest = ajv.compile<{ kind: CheckKind; factors: Factors }>(CHECK_REQUEST);

/** A field's name fit to quote: ours, or a client's key of a plain shape (any other could be a factor's value). */
const QUOTABLE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const REASONS: Record<string, FieldError['reason']> = { required: 'missing', type: 'type', additionalProperties: 'unknown', enum: 'value' };

/** One Ajv error as a field error, or undefined when it names a field not fit to quote. */
function fieldError(error: ErrorObject): FieldError | undefined {
  const path = error.instancePath.split('/').filter(Boolean);
  const child = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
  if (typeof child === 'string') path.push(child);
  if (!path.every((p) => QUOTABLE.test(p))) return undefined;
  return { field: path.join('.') || '(body)', reason: REASONS[error.keyword] ?? 'value' };
}

const REFUSAL_OF: Record<FieldError['reason'], Refused['refusal']> = { missing: 'parameter_missing', type: 'parameter_invalid', unknown: 'parameter_unknown', value: 'parameter_value_invalid' };

/** The body's factors as strings, whatever the rest of it is (for the audit, masked there). */
export function factorsSent(body: RestBody | undefined): Factors {
  const factors = body?.json?.ok ? body.json.value.factors : undefined;
  if (typeof factors !== 'object' || factors === null) return {};
  const sent: Factors = {};
  for (const f of ['name', 'idNumber', 'bankCard', 'phone'] as const) {
    const v = (factors as Record<string, unknown>)[f];
    if (typeof v === 'string') sent[f] = v;
  }
  return sent;
}

/** The kind's factors against the ones sent: every one of them, no other. */
function kindErrors(kind: CheckKind, factors: Factors): FieldError[] {
  const wanted = KIND_FACTORS[kind];
  const errors: FieldError[] = wanted.filter((f) => factors[f] === undefined).map((f) => ({ field: `factors.${f}`, reason: 'missing' }));
  for (const f of Object.keys(factors) as Factor[]) if (!wanted.includes(f)) errors.push({ field: `factors.${f}`, reason: 'unknown' });
  return errors;
}

/**
 * The dialect's part of the gate. `signature`: the key, verified before the gate, answered here in its
 * place (unknown keys were refused at the `app` step: they name no app). `request`: the content type, the
 * JSON, then the body against CheckRequest and the kind's factors; every field at fault is listed.
 */
export function restChecks(): DialectChecks<Evidence> {
  return {
    signature({ key }) {
      if (key.ok) return undefined;
      return key.reason === 'revoked' ? REFUSED.secret_unknown : REFUSED.signature_invalid;
    },
    request(evidence, claim: Claim) {
      const { body } = evidence;
      if (body !== undefined && body.json === undefined) return { refusal: 'bad_request', detail: 'content-type' };
      if (!body?.json?.ok) return REFUSED.bad_request;
      let errors: FieldError[];
      if (!validateRequest(body.json.value)) {
        errors = (validateRequest.errors ?? []).map(fieldError).filter((e): e is FieldError => e !== undefined);
        if (errors.length === 0) errors = [{ field: '(body)', reason: 'value' }];
      } else {
        const { kind, factors } = body.json.value;
        errors = kindErrors(kind, factors);
        if (errors.length === 0) {
          claim.kind = kind;
          claim.factors = factors;
          return undefined;
        }
      }
      evidence.fieldErrors = errors;
      return REFUSED[REFUSAL_OF[errors[0]!.reason]];
    },
  };
}
