import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DialectUnderTest, Draft } from './types.ts';

/** The vendor's own signer, from its Node SDK (image-node-sdk): Base64(HMAC-SHA1(key, Original) ‖ Original). */
const { sign: sdkSign } = createRequire(import.meta.url)('image-node-sdk/libs/utils') as { sign(original: string, secretKey: string): string };

const original = (o: { appid: string; bucket?: string; secretId: string; expiry: number; now: number; rand: number }) =>
  `a=${o.appid}${o.bucket === undefined ? '' : `&b=${o.bucket}`}&k=${o.secretId}&e=${o.expiry}&t=${o.now}&r=${o.rand}&u=0&f=`;

const withAuthorization = (draft: Draft, authorization: string | undefined): Draft => {
  const headers = { ...draft.headers };
  if (authorization === undefined) delete headers.authorization;
  else headers.authorization = authorization;
  return { ...draft, headers };
};

/** Tencent image service (ai.qq / service.image.myqcloud.com): POST /auth/idcard, /auth/idbankcard. */
export const tencentImage: DialectUnderTest = {
  name: 'tencent-image',
  readmeTable: 'tencent-image',
  routes: [
    { path: '/auth/idcard', check: 'idcard2' },
    { path: '/auth/idbankcard', check: 'bankcard3' },
  ],
  untabled: [],
  encodings: ['json'],
  fields: (check, tenant, p) => ({
    appid: tenant.appid,
    idcard_number: p.idNumber,
    idcard_name: p.name,
    ...(check === 'bankcard3' ? { bankcard_number: p.bankCard } : {}),
  }),
  sign(draft, tenant, { nowMs, singleUse, rand }) {
    const now = Math.floor(nowMs / 1000);
    return withAuthorization(draft, sdkSign(original({ ...tenant, bucket: undefined, expiry: singleUse ? 0 : now + 600, now, rand }), tenant.secretKey));
  },
  forgeries: ['wrong key', 'digest flipped', 'field changed after signing', 'appid with a NUL', 'SecretId with a NUL', 'missing', 'garbage'],
  forge(draft, tenant, { nowMs, rand }, kind) {
    const now = Math.floor(nowMs / 1000);
    const good = original({ ...tenant, expiry: now + 600, now, rand });
    const hmac = (text: string, key: string) => createHmac('sha1', key).update(text, 'utf8').digest();
    const pack = (digest: Buffer, text: string) => Buffer.concat([digest, Buffer.from(text, 'utf8')]).toString('base64');
    switch (kind) {
      case 'wrong key':
        return withAuthorization(draft, pack(hmac(good, `${tenant.secretKey}x`), good));
      case 'digest flipped': {
        const digest = hmac(good, tenant.secretKey);
        digest[rand % digest.length]! ^= 1 << rand % 8;
        return withAuthorization(draft, pack(digest, good));
      }
      case 'field changed after signing':
        return withAuthorization(draft, pack(hmac(good, tenant.secretKey), good.replace(`e=${now + 600}`, `e=${now + 6000}`)));
      // Signed with the right key, naming an app or a SecretId no store could hold.
      case 'appid with a NUL':
        return withAuthorization(draft, pack(hmac(good.replace(`a=${tenant.appid}`, `a=${tenant.appid}\u0000`), tenant.secretKey), good.replace(`a=${tenant.appid}`, `a=${tenant.appid}\u0000`)));
      case 'SecretId with a NUL': {
        const text = good.replace(`k=${tenant.secretId}`, `k=${tenant.secretId}\u0000`);
        return withAuthorization(draft, pack(hmac(text, tenant.secretKey), text));
      }
      case 'missing':
        return withAuthorization(draft, undefined);
      default:
        return withAuthorization(draft, Buffer.from(`junk${rand}&a=${tenant.appid}`).toString('base64'));
    }
  },
  impersonate(draft, holder, target, { nowMs, rand }) {
    const now = Math.floor(nowMs / 1000);
    const body = { ...draft, fields: { ...draft.fields, appid: target.appid } };
    return [
      // signed as itself, for the other app's body
      withAuthorization(body, sdkSign(original({ ...holder, expiry: now + 600, now, rand }), holder.secretKey)),
      // naming the other app, with its own SecretId
      withAuthorization(body, sdkSign(original({ ...holder, appid: target.appid, expiry: now + 600, now, rand }), holder.secretKey)),
      // naming the other app and its SecretId, signed with its own key
      withAuthorization(body, sdkSign(original({ ...target, expiry: now + 600, now, rand }), holder.secretKey)),
    ];
  },
  answer(response) {
    try {
      const json = JSON.parse(response.body.toString('utf8')) as { code?: unknown; data?: { session_id?: unknown } };
      if (typeof json.code !== 'number') return undefined;
      const checkId = json.data?.session_id;
      return { code: String(json.code), ...(typeof checkId === 'string' ? { checkId } : {}) };
    } catch {
      return undefined;
    }
  },
  status: () => 200,
  // Tencent: `e=0`; SUBMAIL: every signature, while the app's replay guard is on (the default).
  singleUse: true,
  codes: {
    billed: ['0', '-5803', '-5807', '-5809'],
    internal: '213',
    unavailable: '108',
    tooLarge: '23',
    replayed: '13',
    // The order: … 14 (HMAC) → 9 → 13 → 3 → 24 → 15 → -5806/-5804/-5808 → 25 → the verdict (or 107/108).
    pastSignature: ['9', '13', '3', '24', '15', '-5806', '-5804', '-5808', '25', '0', '-5803', '-5807', '-5809', '107', '108'],
  },
};
