import { randomBytes } from 'node:crypto';
import { ACTIONS, actionParams, CLOUDAUTH_VERSION, readAnswer } from '../../protocols/aliyun/actions.ts';
import { authorize, canonicalQuery, formBody, sha256Hex } from '../../protocols/aliyun/signature.ts';
import { SourceFailure } from '../types.ts';
import type { Adapter } from './adapter.ts';
import { settle } from './adapter.ts';
import { jsonOf } from './http.ts';

/** `2023-10-26T10:22:32Z`: ISO 8601 UTC to the second, as the vendor's x-acs-date wants it. */
const acsDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Alibaba Cloud cloudauth 2019-03-07 (Id2MetaVerify, BankMetaVerify BANK_CARD_2/3/4_META,
 * Mobile3MetaSimpleVerify), signed ACS3-HMAC-SHA256 by src/protocols/aliyun (the vendor's own client
 * cannot take an AbortSignal or a shared keep-alive pool, so it plays the client in tests instead).
 */
export const aliyunAdapter: Adapter = {
  credentials: { required: ['accessKeyId', 'accessKeySecret'] },
  kinds: Object.keys(ACTIONS),
  create({ endpoint, credentials, clock }) {
    const { accessKeyId, accessKeySecret } = credentials as Record<string, string>;
    const host = endpoint.url.host;
    return async (kind, factors, call) => {
      const action = ACTIONS[kind];
      const params = action && actionParams(action, factors);
      if (!action || !params) throw new SourceFailure('error', `cloudauth cannot check ${kind} with these factors`);
      const query = action.paramsIn === 'query' ? params : {};
      const body = action.paramsIn === 'body' ? formBody(params) : '';
      const headers: Record<string, string> = {
        host,
        'x-acs-action': action.action,
        'x-acs-version': CLOUDAUTH_VERSION,
        'x-acs-date': acsDate(clock()),
        'x-acs-signature-nonce': randomBytes(16).toString('hex'),
        'x-acs-content-sha256': sha256Hex(body),
      };
      if (body !== '') headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.authorization = authorize({ method: 'POST', path: '/', query, headers, hashedPayload: headers['x-acs-content-sha256']! }, accessKeyId!, accessKeySecret!);
      headers.accept = 'application/json';
      const q = canonicalQuery(query);
      const reply = await endpoint.send({ method: 'POST', path: q === '' ? '/' : `/?${q}`, headers, body }, call);
      // The vendor answers its own errors (a bad signature, arrears) with a JSON Code at 4xx as well.
      return settle(reply, reply.status < 500 ? readAnswer(kind, jsonOf(reply.body)) : undefined);
    };
  },
};
