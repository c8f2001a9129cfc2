import { CHECK_KINDS, checkIdAsUuid } from '../../core/index.ts';
import { SERVICE, tc3Signer, VERSION } from '../../protocols/tencentcloud/index.ts';
import { ACTION_OF_KIND, readAnswer, requestBody, type FaceidPeer } from '../../protocols/tencentcloud/upstream.ts';
import { SourceFailure } from '../types.ts';
import type { Adapter } from './adapter.ts';
import { settle } from './adapter.ts';
import { jsonOf } from './http.ts';

const CHECK_ID = /^[0-9a-f]{32}$/;

/**
 * A FaceID API 3.0 client (IdCardVerification, BankCardVerification, BankCard2EVerification,
 * BankCard4EVerification, PhoneVerification): `POST /`, JSON bodies, TC3-HMAC-SHA256 by
 * src/protocols/tencentcloud — the signer the dialect verifies with — signing `content-type;host` as the
 * official SDK does: the host without its port, the service `faceid` in the scope whatever the endpoint's
 * host (the vendor's product; a Realname takes the service from the scope). The vendor's own client
 * cannot take an AbortSignal or a shared keep-alive pool, so it plays the client in tests instead.
 *
 * `peer` is whom it asks: Tencent Cloud, or another Realname, which is asked for PhoneVerification's
 * detailed mode (VerifyMode "1": which factor differs) — at the vendor that mode is priced apart, so
 * Tencent Cloud is asked the default one and a phone mismatch names no factor.
 */
export function faceidAdapter(peer: FaceidPeer): Adapter {
  return {
    credentials: { required: ['secretId', 'secretKey'] },
    kinds: CHECK_KINDS.filter((kind) => Object.hasOwn(ACTION_OF_KIND, kind)),
    create({ endpoint, credentials, clock }) {
      const { secretId, secretKey } = credentials as Record<string, string>;
      const sign = tc3Signer({ secretId: secretId!, secretKey: secretKey!, service: SERVICE });
      const host = endpoint.url.host;
      const verifyMode = peer === 'realname' ? '1' : undefined;
      return async (kind, factors, call) => {
        const action = ACTION_OF_KIND[kind];
        const fields = action && requestBody(action, factors, verifyMode);
        if (!action || !fields) throw new SourceFailure('error', `FaceID cannot check ${kind} with these factors`);
        const body = JSON.stringify(fields);
        const timestamp = Math.floor(clock() / 1000);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          host,
          'x-tc-action': action,
          'x-tc-version': VERSION,
          'x-tc-timestamp': String(timestamp),
        };
        headers.authorization = sign({ method: 'POST', path: '/', query: '', headers, body }, timestamp);
        // The check's id as the trace id the vendor echoes: one id on both sides' logs, never a factor.
        if (CHECK_ID.test(call.checkId)) headers['x-tc-traceid'] = checkIdAsUuid(call.checkId);
        const reply = await endpoint.send({ method: 'POST', path: '/', headers, body }, call);
        // Every answer of API 3.0, verdict or error, is HTTP 200: anything else is not the vendor's.
        return settle(reply, reply.status === 200 ? readAnswer(action, jsonOf(reply.body), peer) : undefined);
      };
    },
  };
}

/** Tencent Cloud's FaceID (faceid.tencentcloudapi.com). */
export const tencentcloudAdapter: Adapter = faceidAdapter('tencentcloud');
