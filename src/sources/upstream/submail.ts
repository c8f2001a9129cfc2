import { setTimeout as sleep } from 'node:timers/promises';
import { FIELDS, SUBMAIL_ROUTES } from '../../protocols/submail/fields.ts';
import { signSubmail } from '../../protocols/submail/signature.ts';
import { readAnswer } from '../../protocols/submail/upstream.ts';
import type { Adapter } from './adapter.ts';
import { settle, wireFields } from './adapter.ts';
import { jsonOf } from './http.ts';

/** SUBMAIL's factor API (POST /factor/idcard, /factor/card_three_auth): JSON bodies signed with SHA-256 over the appkey. */
export const submailAdapter: Adapter = {
  credentials: { required: ['appid', 'appkey'] },
  kinds: SUBMAIL_ROUTES.map((r) => r.kind),
  create({ endpoint, credentials, clock }) {
    const { appid, appkey } = credentials as Record<string, string>;
    const paths = new Map<string, string>(SUBMAIL_ROUTES.map((r) => [r.kind, r.url]));
    // The signature covers the factors and a timestamp in seconds: the same check twice in one second would
    // send the same signature, which a replay guard refuses. The second waits for the next second instead.
    let second = 0;
    const used = new Set<string>();
    const signed = async (fields: Record<string, string>, signal: AbortSignal) => {
      for (;;) {
        const now = Math.floor(clock() / 1000);
        if (now !== second) {
          second = now;
          used.clear();
        }
        const timestamp = String(now);
        const signature = signSubmail(appkey!, { ...fields, timestamp });
        if (!used.has(signature)) {
          used.add(signature);
          return { appid, ...fields, timestamp, signature };
        }
        await sleep(1000 - (clock() % 1000) + 1, undefined, { signal });
      }
    };
    return async (kind, factors, call) => {
      const body = await signed(wireFields(FIELDS[kind], factors), call.signal);
      const reply = await endpoint.send({ method: 'POST', path: paths.get(kind)!, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, call);
      return settle(reply, reply.status === 200 ? readAnswer(kind, jsonOf(reply.body)) : undefined);
    };
  },
};
