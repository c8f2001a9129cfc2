import { BILL_EVERY_VERDICT } from '../../core/index.ts';
import { CODE_TABLE } from '../../protocols/tencent-image/codes.ts';
import { IMAGE_ROUTES } from '../../protocols/tencent-image/fields.ts';
import { defineDialect } from '../define.ts';
import { parseJsonBody, UNSUPPORTED } from './body.ts';
import { createDecide } from './decide.ts';
import { present } from './present.ts';

/** The 200 body of every answer: `{code, message, data: {session_id}}`, serialised from this schema. */
const RESPONSE_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'data'],
  additionalProperties: false,
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    data: {
      type: 'object',
      required: ['session_id'],
      additionalProperties: false,
      properties: { session_id: { type: 'string' } },
    },
  },
} as const;

/**
 * The Tencent image-service dialect (POST /auth/idcard, /auth/idbankcard): JSON bodies, the vendor's
 * HMAC-SHA1 Authorization, every answer HTTP 200. The vendor bills match, mismatch and no record (-5807).
 */
export const tencentImage = defineDialect({
  name: 'tencent-image',
  routes: IMAGE_ROUTES,
  parsers: { 'application/json': parseJsonBody, '*': () => UNSUPPORTED },
  codes: CODE_TABLE,
  billing: BILL_EVERY_VERDICT,
  defaults: {},
  decider: (services, _options, billing) => createDecide(services, billing),
  present,
  responseSchema: RESPONSE_SCHEMA,
});
