/**
 * The five FaceID (`faceid`, 2018-03-01) actions Realname speaks: their request fields as data —
 * name, type, required or not, the factor each carries — in the vendor's field order, which is also
 * the order the core validates them in (KIND_FACTORS). A dialect answers MissingParameter,
 * InvalidParameter, UnknownParameter and InvalidParameterValue from checkParameters(); an upstream
 * client builds its bodies from the same types.
 */
import type { CheckKind, Factor, Factors } from '../../core/index.ts';
import type { SentErrorMeaning } from './errors.ts';

export const SERVICE = 'faceid';
export const VERSION = '2018-03-01';
export const ENDPOINT = 'faceid.tencentcloudapi.com';
/** The one certificate type the vendor checks (CertType 0 身份证); others answer a Result, not an error. */
export const CERT_TYPE_ID_CARD = 0;

export type ParamType = 'String' | 'Integer' | 'Array of String' | 'Encryption';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly required: boolean;
  /** The identity factor the field carries. */
  readonly factor?: Factor;
  /** Sending it means the client encrypted some fields (Realname does not decrypt: UnsupportedOperation). */
  readonly encryption?: boolean;
  /** The values a String may take, where the vendor enumerates them. */
  readonly values?: readonly string[];
}

/** The Encryption object (of every action but PhoneVerification, which has three flat fields instead). */
export const ENCRYPTION_FIELDS = [
  { name: 'EncryptList', type: 'Array of String', required: true },
  { name: 'CiphertextBlob', type: 'String', required: true },
  { name: 'Iv', type: 'String', required: true },
  { name: 'Algorithm', type: 'String', required: false, values: ['AES-256-CBC', 'SM4-GCM'] },
  { name: 'TagList', type: 'Array of String', required: false },
] as const satisfies readonly ParamSpec[];

const ENCRYPTION = { name: 'Encryption', type: 'Encryption', required: false, encryption: true } as const;
const CERT_TYPE = { name: 'CertType', type: 'Integer', required: false } as const;

export interface ActionSpec {
  readonly kind: CheckKind;
  readonly params: readonly ParamSpec[];
}

export const ACTIONS = {
  /** 身份信息认证（二要素核验） */
  IdCardVerification: {
    kind: 'idcard2',
    params: [
      { name: 'IdCard', type: 'String', required: true, factor: 'idNumber' },
      { name: 'Name', type: 'String', required: true, factor: 'name' },
      ENCRYPTION,
    ],
  },
  /** 银行卡三要素核验 */
  BankCardVerification: {
    kind: 'bankcard3',
    params: [
      { name: 'IdCard', type: 'String', required: true, factor: 'idNumber' },
      { name: 'Name', type: 'String', required: true, factor: 'name' },
      { name: 'BankCard', type: 'String', required: true, factor: 'bankCard' },
      CERT_TYPE,
      ENCRYPTION,
    ],
  },
  /** 银行卡二要素核验 */
  BankCard2EVerification: {
    kind: 'bankcard2',
    params: [
      { name: 'Name', type: 'String', required: true, factor: 'name' },
      { name: 'BankCard', type: 'String', required: true, factor: 'bankCard' },
      ENCRYPTION,
    ],
  },
  /** 银行卡四要素核验 */
  BankCard4EVerification: {
    kind: 'bankcard4',
    params: [
      { name: 'Name', type: 'String', required: true, factor: 'name' },
      { name: 'BankCard', type: 'String', required: true, factor: 'bankCard' },
      { name: 'Phone', type: 'String', required: true, factor: 'phone' },
      { name: 'IdCard', type: 'String', required: true, factor: 'idNumber' },
      CERT_TYPE,
      ENCRYPTION,
    ],
  },
  /** 手机号三要素核验 */
  PhoneVerification: {
    kind: 'phone3',
    params: [
      { name: 'IdCard', type: 'String', required: true, factor: 'idNumber' },
      { name: 'Name', type: 'String', required: true, factor: 'name' },
      { name: 'Phone', type: 'String', required: true, factor: 'phone' },
      /** "0" 简版 (default), "1" 详版 (adds ResultDetail to a -4). */
      { name: 'VerifyMode', type: 'String', required: false, values: ['0', '1'] },
      { name: 'CiphertextBlob', type: 'String', required: false, encryption: true },
      { name: 'EncryptList', type: 'Array of String', required: false, encryption: true },
      { name: 'Iv', type: 'String', required: false, encryption: true },
    ],
  },
} as const satisfies Record<string, ActionSpec>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

export function isActionName(value: string): value is ActionName {
  return Object.hasOwn(ACTIONS, value);
}

// ---- wire types, derived from the data above ----

type Fields = readonly ParamSpec[];
/** One flat object type (not an intersection), so it reads — and compares — like a hand-written interface. */
type Flat<T> = { [K in keyof T]: T[K] };
type ObjectOf<F extends Fields> = Flat<
  { -readonly [P in F[number] as P['required'] extends true ? P['name'] : never]: ValueOf<P['type']> } & {
    -readonly [P in F[number] as P['required'] extends true ? never : P['name']]?: ValueOf<P['type']>;
  }
>;
type ValueOf<T extends ParamType> = T extends 'String'
  ? string
  : T extends 'Integer'
    ? number
    : T extends 'Array of String'
      ? string[]
      : T extends 'Encryption'
        ? Encryption
        : never;

export type Encryption = ObjectOf<typeof ENCRYPTION_FIELDS>;
/** The JSON body of an action's request, e.g. RequestOf<'IdCardVerification'> = { IdCard; Name; Encryption? }. */
export type RequestOf<A extends ActionName> = ObjectOf<(typeof ACTIONS)[A]['params']>;

/** 移动 / 电信 / 联通, or "" (PhoneVerification's Isp). */
export type Isp = '' | '移动' | '电信' | '联通';

export interface VerdictResponse {
  /** A string: "0", "-1", … */
  Result: string;
  Description: string;
  RequestId: string;
}
export interface PhoneVerificationResponse extends VerdictResponse {
  Isp: Isp;
  /** Only with VerifyMode "1" and Result "-4". */
  ResultDetail?: string;
}
export type ResponseOf<A extends ActionName> = A extends 'PhoneVerification' ? PhoneVerificationResponse : VerdictResponse;
export interface ErrorResponse {
  Error: { Code: string; Message: string };
  RequestId: string;
}
/** Every answer, verdict or error, is HTTP 200 with this envelope (the SDK drops anything else's code). */
export interface Envelope<T> {
  Response: T;
}

// ---- reading a body against the spec ----

export type ParameterError = Extract<SentErrorMeaning, 'body_invalid' | 'parameter_missing' | 'parameter_invalid' | 'parameter_unknown' | 'parameter_value_invalid'>;
export type ParameterCheck<A extends ActionName> =
  | { ok: true; request: RequestOf<A> }
  /** `parameter` names the field (nested ones as Encryption.Iv, array items as EncryptList.1). */
  | { ok: false; error: ParameterError; parameter?: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** JSON null is taken as not sent (the official SDK never sends one: it strips nulls). */
const present = (v: unknown): boolean => v !== undefined && v !== null;
const fieldsOf = (spec: ParamSpec): Fields | undefined => (spec.type === 'Encryption' ? ENCRYPTION_FIELDS : undefined);

/** The first problem of one stage, walking fields in spec order and nested objects in place. */
type Stage = (fields: Fields, body: Json, prefix: string) => string | undefined;

const missing: Stage = (fields, body, prefix) => {
  for (const f of fields) {
    const v = body[f.name];
    if (!present(v)) {
      if (f.required) return prefix + f.name;
      continue;
    }
    const nested = fieldsOf(f);
    if (nested && isObject(v)) {
      const found = missing(nested, v, `${prefix}${f.name}.`);
      if (found) return found;
    }
  }
  return undefined;
};

function typeProblem(f: ParamSpec, v: unknown, path: string): string | undefined {
  switch (f.type) {
    case 'String':
      return typeof v === 'string' ? undefined : path;
    case 'Integer':
      return typeof v === 'number' && Number.isSafeInteger(v) ? undefined : path;
    case 'Array of String': {
      if (!Array.isArray(v)) return path;
      const at = v.findIndex((item) => typeof item !== 'string');
      return at < 0 ? undefined : `${path}.${at}`;
    }
    case 'Encryption':
      return isObject(v) ? ill(ENCRYPTION_FIELDS, v, `${path}.`) : path;
  }
}

const ill: Stage = (fields, body, prefix) => {
  for (const f of fields) {
    const v = body[f.name];
    if (!present(v)) continue;
    const found = typeProblem(f, v, prefix + f.name);
    if (found) return found;
  }
  return undefined;
};

const unknown: Stage = (fields, body, prefix) => {
  for (const key of Object.keys(body)) {
    const f = fields.find((spec) => spec.name === key);
    if (!f) return prefix + key;
    const nested = fieldsOf(f);
    const v = body[key];
    if (nested && isObject(v)) {
      const found = unknown(nested, v, `${prefix}${key}.`);
      if (found) return found;
    }
  }
  return undefined;
};

const badValue: Stage = (fields, body, prefix) => {
  for (const f of fields) {
    const v = body[f.name];
    if (!present(v)) continue;
    if (f.values && !f.values.includes(v as string)) return prefix + f.name;
    const nested = fieldsOf(f);
    if (nested && isObject(v)) {
      const found = badValue(nested, v, `${prefix}${f.name}.`);
      if (found) return found;
    }
  }
  return undefined;
};

const STAGES: ReadonlyArray<[Stage, ParameterError]> = [
  [missing, 'parameter_missing'],
  [ill, 'parameter_invalid'],
  [unknown, 'parameter_unknown'],
  [badValue, 'parameter_value_invalid'],
];

/**
 * Reads a parsed JSON body against an action's fields. Stages in order, each over every field
 * (the first field in the action's order answers): a body that is not an object → a required field
 * missing → a field of the wrong type → a field the action does not define → a value outside the
 * vendor's enumeration. An empty string is a String: the core answers it as an invalid factor (a Result).
 */
export function checkParameters<A extends ActionName>(action: A, body: unknown): ParameterCheck<A> {
  if (!isObject(body)) return { ok: false, error: 'body_invalid' };
  const fields: Fields = ACTIONS[action].params;
  for (const [stage, error] of STAGES) {
    const parameter = stage(fields, body, '');
    if (parameter !== undefined) return { ok: false, error, parameter };
  }
  const request: Json = {};
  for (const f of fields) if (present(body[f.name])) request[f.name] = body[f.name];
  return { ok: true, request: request as RequestOf<A> };
}

/** The factors an action's request carries, by the domain's names. */
export function factorsOf<A extends ActionName>(action: A, request: RequestOf<A>): Factors {
  const factors: Factors = {};
  const values = request as Json;
  for (const f of ACTIONS[action].params as Fields) if (f.factor && typeof values[f.name] === 'string') factors[f.factor] = values[f.name] as string;
  return factors;
}

/** The first field saying the client encrypted something (Encryption; Phone's CiphertextBlob, EncryptList, Iv). */
export function encryptionParameter<A extends ActionName>(action: A, request: RequestOf<A>): string | undefined {
  const values = request as Json;
  return (ACTIONS[action].params as Fields).find((f) => f.encryption && present(values[f.name]))?.name;
}
