import { defineDialect } from '../define.ts';
import { parseJsonBody, parseOtherBody } from './body.ts';
import { BILLING } from './billing.ts';
import { ERROR_TABLE, RESULT_TABLES } from './codes.ts';
import { createDecide } from './decide.ts';
import { present } from './present.ts';

/** The 200 body of every answer, serialised from this schema: a Result, or an Error, and the RequestId. */
const RESPONSE_SCHEMA = {
  type: 'object',
  required: ['Response'],
  additionalProperties: false,
  properties: {
    Response: {
      type: 'object',
      required: ['RequestId'],
      additionalProperties: false,
      properties: {
        Result: { type: 'string' },
        Description: { type: 'string' },
        Isp: { type: 'string' },
        ResultDetail: { type: 'string' },
        Error: {
          type: 'object',
          required: ['Code', 'Message'],
          additionalProperties: false,
          properties: { Code: { type: 'string' }, Message: { type: 'string' } },
        },
        RequestId: { type: 'string' },
      },
    },
  },
} as const;

/**
 * Tencent Cloud API 3.0 FaceID (`faceid`, 2018-03-01): POST / with X-TC-Action, X-TC-Version and
 * X-TC-Timestamp, a JSON body, the TC3-HMAC-SHA256 Authorization; five actions. Every answer HTTP 200.
 * Billing follows the vendor's billed column, action by action.
 */
export const tencentCloud = defineDialect({
  name: 'tencentcloud',
  routes: [{ url: '/', kind: null }],
  parsers: { 'application/json': parseJsonBody, '*': parseOtherBody },
  codes: ERROR_TABLE,
  tables: RESULT_TABLES,
  billing: BILLING,
  defaults: {},
  decider: (services, _options, billing) => createDecide(services, billing),
  present,
  responseSchema: RESPONSE_SCHEMA,
});
