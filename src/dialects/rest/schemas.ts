import { CHECK_KINDS, INVALID_REASONS } from '../../core/index.ts';

/**
 * The JSON Schemas of /v1, once: the request step validates bodies with them (Ajv, after authentication,
 * in the gate's order), Fastify serialises answers with them, and the OpenAPI document is made of them.
 */

const FACTOR_NAMES = ['name', 'idNumber', 'bankCard', 'phone'] as const;
const text = (description: string) => ({ type: 'string', description }) as const;

export const CHECK_REQUEST = {
  $id: 'CheckRequest',
  type: 'object',
  description: 'A check: its kind and the factors the kind takes (every one of them, no other).',
  required: ['kind', 'factors'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: CHECK_KINDS, description: 'idcard2: ID number + name; bankcard2: name + card; bankcard3: + ID number; bankcard4: + phone; phone3: ID number + name + phone.' },
    factors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: text('The holder’s name as on the ID card.'),
        idNumber: text('The 18-character resident ID number.'),
        bankCard: text('The bank card number.'),
        phone: text('The mainland mobile number.'),
      },
    },
  },
} as const;

const SUBJECT = {
  type: 'object',
  additionalProperties: false,
  required: ['birthDate', 'region'],
  properties: {
    sex: { type: 'string', enum: ['M', 'F'] },
    birthDate: { type: 'string', description: 'YYYY-MM-DD' },
    region: { type: 'object', additionalProperties: false, required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } } },
  },
} as const;

const CARD = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bank: { type: 'object', additionalProperties: false, required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } } },
    type: { type: 'string', enum: ['DC', 'CC', 'SCC', 'PC'] },
  },
} as const;

export const CHECK = {
  $id: 'Check',
  type: 'object',
  description: 'The verdict of one check (the core’s Outcome). Factors that fail offline validation are verdict `invalid`, unbilled.',
  required: ['id', 'kind', 'verdict', 'source', 'billed', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'The check id (GET /v1/checks/{id} reads it back).' },
    kind: { type: 'string', enum: CHECK_KINDS },
    verdict: { type: 'string', enum: ['match', 'mismatch', 'not_found', 'invalid'] },
    mismatched: { type: 'array', items: { type: 'string', enum: FACTOR_NAMES }, description: 'With mismatch: the factors that are not the record’s.' },
    invalid: {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'reason'],
      description: 'With invalid: the first factor that failed validation, and why.',
      properties: { field: { type: 'string', enum: FACTOR_NAMES }, reason: { type: 'string', enum: INVALID_REASONS }, position: { type: 'integer' } },
    },
    subject: SUBJECT,
    card: CARD,
    phone: { type: 'object', additionalProperties: false, properties: { carrier: { type: 'string' } } },
    warnings: { type: 'array', items: { type: 'string' } },
    source: { type: 'string', description: 'The source that gave the verdict (`validation` for invalid factors).' },
    billed: { type: 'boolean', description: 'Charged to the app’s quota.' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const AUDITED_CHECK = {
  $id: 'AuditedCheck',
  type: 'object',
  description: 'A check as the audit holds it: masked factors, the verdict or the refusal, the source, billed, the time.',
  required: ['id', 'kind', 'verdict', 'refusal', 'source', 'billed', 'factors', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    kind: { type: ['string', 'null'] },
    verdict: { type: ['string', 'null'], enum: ['match', 'mismatch', 'not_found', 'invalid', 'unavailable', null] },
    mismatched: { type: 'array', items: { type: 'string' } },
    refusal: { type: ['string', 'null'], description: 'Why the request was refused (then no verdict), as the audit names it (e.g. parameter_missing).' },
    problem: { type: 'string', description: 'The problem type a /v1 refusal was answered with (e.g. urn:realname:problem:invalid_request); absent for a check made through another dialect.' },
    source: { type: ['string', 'null'] },
    billed: { type: 'boolean' },
    factors: {
      type: 'object',
      additionalProperties: false,
      description: 'Masked (张*, 1101**********1234): the audit holds no plaintext factor.',
      properties: { name: { type: 'string' }, idNumber: { type: 'string' }, bankCard: { type: 'string' }, phone: { type: 'string' } },
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const PROBLEM = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `type` is stable per refusal (urn:realname:problem:<name>).',
  required: ['type', 'title', 'status'],
  additionalProperties: false,
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    checkId: { type: 'string', description: 'The request’s id in the audit.' },
    errors: {
      type: 'array',
      description: 'With invalid_request: each field that is missing, ill-typed, unknown or has a value it may not take.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'reason'],
        properties: { field: { type: 'string' }, reason: { type: 'string', enum: ['missing', 'type', 'unknown', 'value'] } },
      },
    },
  },
} as const;

export type FieldError = { field: string; reason: 'missing' | 'type' | 'unknown' | 'value' };

export const BATCH = {
  $id: 'Batch',
  type: 'object',
  description: 'A batch of checks: its state, rows, counts by verdict (and `error` for rows that are not checks), pace.',
  required: ['id', 'state', 'kind', 'rows', 'counts', 'rowsPerSecond', 'etaSeconds', 'createdAt', 'finishedAt', 'expiresAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    state: { type: 'string', enum: ['uploading', 'running', 'quota_exhausted', 'done', 'cancelled'] },
    kind: { type: ['string', 'null'], description: 'The kind of every row, or null when rows name their own.' },
    rows: { type: 'object', additionalProperties: false, required: ['total', 'done'], properties: { total: { type: 'integer' }, done: { type: 'integer' } } },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    rowsPerSecond: { type: 'number' },
    etaSeconds: { type: ['integer', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the batch and its results are deleted (7 days after it was made).' },
  },
} as const;
