import { BILL_EVERY_VERDICT } from '../../core/index.ts';
import { CODE_TABLE } from '../../protocols/submail/codes.ts';
import { SUBMAIL_ROUTES } from '../../protocols/submail/fields.ts';
import { defineDialect } from '../define.ts';
import { parseJsonBody, parseMultipartBody, parseUrlencodedBody, UNSUPPORTED } from './body.ts';
import { DEFAULT_TIMESTAMP_WINDOW_MS } from './checks.ts';
import { createDecide, type SubmailOptions } from './decide.ts';
import { CONTENT_TYPES, FORMAT_SUFFIXES, formatOf, render } from './format.ts';
import { present } from './present.ts';

export type { SubmailOptions } from './decide.ts';

/**
 * The SUBMAIL dialect (POST /factor/idcard, /factor/card_three_auth, each also as .json and .xml;
 * GET /service/timestamp): JSON, form or multipart bodies, the SHA-256 signature over the appkey, every
 * answer HTTP 200. The vendor bills each verdict (一致, 不一致, no record).
 */
export const submail = defineDialect<SubmailOptions>({
  name: 'submail',
  routes: SUBMAIL_ROUTES.flatMap((r) => FORMAT_SUFFIXES.map((suffix) => ({ url: r.url + suffix, kind: r.kind }))),
  parsers: {
    'application/json': parseJsonBody,
    'application/x-www-form-urlencoded': parseUrlencodedBody,
    'multipart/form-data': parseMultipartBody,
    '*': () => UNSUPPORTED,
  },
  codes: CODE_TABLE,
  billing: BILL_EVERY_VERDICT,
  defaults: { timestampWindowMs: DEFAULT_TIMESTAMP_WINDOW_MS },
  decider: createDecide,
  present,
  // The vendor's demos fetch the server time before signing (from api.mysubmail.com).
  extraRoutes(instance, services) {
    for (const suffix of FORMAT_SUFFIXES) {
      const format = formatOf(suffix);
      instance.get(`/service/timestamp${suffix}`, (_request, reply) => {
        reply.type(CONTENT_TYPES[format]).send(render(format, { timestamp: Math.floor(services.clock() / 1000) }));
      });
    }
  },
});
