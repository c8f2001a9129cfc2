import { randomInt } from 'node:crypto';
import { FIELDS, IMAGE_ROUTES } from '../../protocols/tencent-image/fields.ts';
import { signAuthorization } from '../../protocols/tencent-image/signature.ts';
import { readAnswer } from '../../protocols/tencent-image/upstream.ts';
import type { Adapter } from './adapter.ts';
import { settle, wireFields } from './adapter.ts';
import { jsonOf } from './http.ts';

/** A multi-use signature lives this long; a fresh one is made once half of it has passed. */
const SIGNATURE_LIFETIME_S = 600;

/** The legacy image service (POST /auth/idcard, /auth/idbankcard): JSON bodies, HMAC-SHA1 Authorization. */
export const tencentImageAdapter: Adapter = {
  credentials: { required: ['appid', 'secretId', 'secretKey'], optional: ['bucket'] },
  kinds: IMAGE_ROUTES.map((r) => r.kind),
  create({ endpoint, credentials, clock }) {
    const { appid, secretId, secretKey, bucket } = credentials as Record<string, string>;
    const paths = new Map<string, string>(IMAGE_ROUTES.map((r) => [r.kind, r.url]));
    // The vendor accepts a signature until `e`: one made now serves every check for the next few minutes.
    let authorization = '';
    let renewAt = 0;
    const sign = () => {
      const now = Math.floor(clock() / 1000);
      if (now >= renewAt) {
        authorization = signAuthorization({ appid: appid!, secretId: secretId!, secretKey: secretKey!, expiry: now + SIGNATURE_LIFETIME_S, now, rand: randomInt(1, 2 ** 31), ...(bucket ? { bucket } : {}) });
        renewAt = now + SIGNATURE_LIFETIME_S / 2;
      }
      return authorization;
    };
    return async (kind, factors, call) => {
      const body = { appid, ...(bucket ? { bucket } : {}), ...wireFields(FIELDS[kind], factors) };
      const reply = await endpoint.send(
        { method: 'POST', path: paths.get(kind)!, headers: { 'content-type': 'application/json', authorization: sign() }, body: JSON.stringify(body) },
        call,
      );
      return settle(reply, reply.status === 200 ? readAnswer(jsonOf(reply.body)) : undefined);
    };
  },
};
