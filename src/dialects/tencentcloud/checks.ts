import type { Claim, DialectChecks, Refusal, Refused } from '../../access/index.ts';
import { REFUSED } from '../../access/index.ts';
import type { JsonObjectParse } from '../shared/json-object.ts';
import {
  ACTIONS,
  CERT_TYPE_ID_CARD,
  VERSION,
  checkParameters,
  encryptionParameter,
  factorsOf,
  isActionName,
  verifyTc3,
  type IncomingTc3Request,
  type ParameterError,
  type Tc3Authorization,
  type Tc3Failure,
} from '../../protocols/tencentcloud/index.ts';

/** What the dialect keeps of one request for the gate to judge it. */
export interface Evidence {
  request: IncomingTc3Request;
  authorization: Tc3Authorization;
  /** The body as JSON, when its content type is JSON. */
  json: JsonObjectParse | undefined;
}

/** The verifier's reasons in the gate's terms: a missing timestamp is a missing parameter, named. */
const SIGNATURE_REFUSALS: Record<Tc3Failure, Refused> = {
  timestamp_missing: { refusal: 'parameter_missing', detail: 'X-TC-Timestamp' },
  timestamp_invalid: REFUSED.timestamp_invalid,
  expired: REFUSED.timestamp_expired,
  date: REFUSED.signature_invalid,
  headers: REFUSED.signature_invalid,
  signature: REFUSED.signature_invalid,
};

const PARAMETER_REFUSALS: Record<ParameterError, Refusal> = {
  body_invalid: 'bad_request',
  parameter_missing: 'parameter_missing',
  parameter_invalid: 'parameter_invalid',
  parameter_unknown: 'parameter_unknown',
  parameter_value_invalid: 'parameter_value_invalid',
};

/**
 * A field's name fit to quote in a message: the vendor's names, nested (Encryption.Iv) or indexed
 * (EncryptList.1). An unknown key is the client's own text — it could even be a factor — so one of
 * another shape is not quoted.
 */
const QUOTABLE = /^[A-Za-z][A-Za-z0-9]{0,63}(\.[A-Za-z0-9]{1,63})*$/;

function refusedField(refusal: Refusal, parameter: string | undefined): Refused {
  return parameter !== undefined && QUOTABLE.test(parameter) ? { refusal, detail: parameter } : REFUSED[refusal];
}

/** A header's one value; absent, empty or sent more than once (Node joins repeats) is no usable value. */
export function headerValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The dialect's part of the gate. `signature`: the window (AuthFailure.SignatureExpire) and the HMAC
 * (AuthFailure.SignatureFailure), over the raw body and the headers the client signed. TC3 has no
 * single-use signature, so there is no replay step: a request may be sent again inside its window, as
 * at the vendor. `request`, once the request is authentic: X-TC-Action → X-TC-Version → the action's
 * fields (missing → ill-typed → unknown → a value it may not take) → encryption; it names the kind and
 * the factors, and a CertType other than 0 rejects the ID number (answered at the validate step).
 */
export function tc3Checks(): DialectChecks<Evidence> {
  return {
    signature({ request, authorization }, _app, secret, nowMs) {
      const verified = verifyTc3({ request, authorization, secretKey: secret!.secretKey, nowMs });
      return verified.ok ? undefined : SIGNATURE_REFUSALS[verified.reason];
    },
    request({ request, json }, claim: Claim) {
      const action = headerValue(request.headers['x-tc-action']);
      if (action === undefined) return { refusal: 'parameter_missing', detail: 'X-TC-Action' };
      if (!isActionName(action)) return REFUSED.action_unknown;
      const version = headerValue(request.headers['x-tc-version']);
      if (version === undefined) return { refusal: 'parameter_missing', detail: 'X-TC-Version' };
      if (version !== VERSION) return REFUSED.version_unknown;
      if (!json?.ok) return REFUSED.bad_request;
      const checked = checkParameters(action, json.value);
      if (!checked.ok) return refusedField(PARAMETER_REFUSALS[checked.error], checked.parameter);
      const encrypted = encryptionParameter(action, checked.request);
      if (encrypted !== undefined) return refusedField('encryption_unsupported', encrypted);
      claim.kind = ACTIONS[action].kind;
      claim.factors = factorsOf(action, checked.request);
      const certType = (checked.request as { CertType?: number }).CertType;
      if (certType !== undefined && certType !== CERT_TYPE_ID_CARD) claim.rejected = { field: 'idNumber', reason: 'certificate' };
      return undefined;
    },
  };
}
