import { sdkSign } from '../../helpers/tencentcloud.ts';
import { encodeBody } from '../lib/encode.ts';
import { readmeRows } from '../lib/readme.ts';
import type { Check, DialectUnderTest, Draft, Tenant } from './types.ts';

/** The two actions the suite sends, one per check it knows. */
const ACTION_OF: Record<Check, string> = { idcard2: 'IdCardVerification', bankcard3: 'BankCardVerification' };
const RESULT_TABLES = Object.values(ACTION_OF);

/** Every request of the suite carries `Host: 127.0.0.1` (wire.httpRequest, cases.materialize). */
const HOST = '127.0.0.1';
/** The scope's service the SDK signs for an endpoint 127.0.0.1:PORT: the host's first label. */
const SERVICE = '127';
/** X-TC-Timestamp may be this far from the server's clock, either way. */
const WINDOW_S = 300;

interface Credentials {
  secretId: string;
  secretKey: string;
  timestamp: number;
  service?: string;
}

/** What is signed besides the headers: by default the fields as JSON. */
interface Sent {
  body: Buffer;
  contentType: string | undefined;
}

/**
 * The Authorization the official SDK's own signer (tencentcloud-sdk-nodejs, sign3) makes for the
 * draft: over the exact body bytes the suite then sends (by default JSON.stringify of the fields, handed
 * over as a Buffer so the SDK's json-bigint serialiser cannot sign other bytes), content-type and host.
 */
function authorization(draft: Draft, c: Credentials, sent: Sent = { body: encodeBody(draft.fields, 'json').body, contentType: 'application/json' }): string {
  return sdkSign.sign3({
    method: 'POST',
    url: `http://${HOST}${draft.path}`,
    payload: sent.body,
    timestamp: c.timestamp,
    service: c.service ?? SERVICE,
    secretId: c.secretId,
    secretKey: c.secretKey,
    multipart: false,
    // A request without one cannot be signed: the SDK signs `content-type:undefined`, the server refuses it.
    headers: { 'Content-Type': String(sent.contentType) },
  });
}

/** The common parameters (headers) of the draft's action at `timestamp`, with `auth` as its Authorization (none: undefined). */
function withHeaders(draft: Draft, timestamp: number, auth: string | undefined): Draft {
  const headers: Record<string, string> = { ...draft.headers, 'x-tc-action': ACTION_OF[draft.check], 'x-tc-version': '2018-03-01', 'x-tc-timestamp': String(timestamp) };
  if (auth === undefined) delete headers.authorization;
  else headers.authorization = auth;
  return { ...draft, headers };
}

const signedAs = (draft: Draft, tenant: Tenant, timestamp: number, over: Partial<Credentials> = {}): Draft =>
  withHeaders(draft, timestamp, authorization(draft, { secretId: tenant.secretId, secretKey: tenant.secretKey, timestamp, ...over }));

/** The two actions' Result tables as README has them; a Result's Description says which action it answers. */
const RESULT_ROWS = RESULT_TABLES.flatMap((action) => readmeRows(`tencentcloud/${action}`).map((row) => ({ action, ...row })));
const ACTION_OF_ROW = new Map(RESULT_ROWS.map((r) => [`${r.code}\u0000${r.message}`, r.action]));

const POST_SIGNATURE_ERRORS = [
  'InvalidAction',
  'NoSuchVersion',
  'UnknownParameter',
  'InvalidParameterValue',
  'UnsupportedOperation',
  'UnauthorizedOperation.Arrears',
  'UnauthorizedOperation.Nonactivated',
  'IpNotInWhitelist',
  'RequestLimitExceeded',
  'LimitExceeded',
];

/**
 * Tencent Cloud API 3.0 FaceID (faceid.tencentcloudapi.com, 2018-03-01): POST / with X-TC-Action
 * IdCardVerification (idcard2) or BankCardVerification (bankcard3), X-TC-Version, X-TC-Timestamp, a
 * JSON body and the TC3-HMAC-SHA256 Authorization.
 */
export const tencentCloud: DialectUnderTest = {
  name: 'tencentcloud',
  readmeTable: 'tencentcloud',
  // -5 is 证件库中无此身份证记录 (not billed) for one and 持卡人信息有误 (billed) for the other.
  resultTables: RESULT_TABLES,
  routes: [
    { path: '/', check: 'idcard2' },
    { path: '/', check: 'bankcard3' },
  ],
  untabled: [],
  encodings: ['json'],
  fields: (check, _tenant, p) => ({ IdCard: p.idNumber, Name: p.name, ...(check === 'bankcard3' ? { BankCard: p.bankCard } : {}) }),
  sign(draft, tenant, { nowMs }) {
    return signedAs(draft, tenant, Math.floor(nowMs / 1000));
  },
  signSent(draft, tenant, { nowMs }, sent) {
    const timestamp = Math.floor(nowMs / 1000);
    return withHeaders(draft, timestamp, authorization(draft, { ...tenant, timestamp }, sent));
  },
  forgeries: ['wrong key', 'signature digit flipped', 'body changed after signing', 'timestamp outside 5 min', 'SecretId with a NUL', 'missing', 'garbage'],
  forge(draft, tenant, { nowMs, rand }, kind) {
    const now = Math.floor(nowMs / 1000);
    const good = authorization(draft, { ...tenant, timestamp: now });
    switch (kind) {
      case 'wrong key':
        return signedAs(draft, tenant, now, { secretKey: `${tenant.secretKey}x` });
      case 'signature digit flipped': {
        const at = good.length - 64 + (rand % 64);
        return withHeaders(draft, now, good.slice(0, at) + (good[at] === '0' ? '1' : '0') + good.slice(at + 1));
      }
      case 'body changed after signing':
        return { ...withHeaders(draft, now, good), fields: { ...draft.fields, Name: `${typeof draft.fields.Name === 'string' ? draft.fields.Name : ''}甲` } };
      case 'timestamp outside 5 min': {
        // Signed as the SDK signs it, at a time a minute or more past the window (either way: arrival only narrows a future one).
        const off = WINDOW_S + 60 + (rand % 86_400);
        return signedAs(draft, tenant, rand % 2 ? now - off : now + off);
      }
      case 'SecretId with a NUL':
        // Signed with the right key, naming a SecretId no store could hold (HTTP itself refuses a NUL in a header: 400).
        return signedAs(draft, tenant, now, { secretId: `${tenant.secretId}\u0000` });
      case 'missing':
        return withHeaders(draft, now, undefined);
      default:
        return withHeaders(draft, now, [`TC3-HMAC-SHA256 Credential=${tenant.secretId}/junk${rand}`, `junk${rand}`, good.slice(0, rand % good.length)][rand % 3]!);
    }
  },
  impersonate(draft, holder, target, { nowMs }) {
    // TC3 names the app by the SecretId alone, and the string to sign does not contain it: the holder's
    // own signature with the SecretId swapped is the first attempt, byte for byte.
    const now = Math.floor(nowMs / 1000);
    return [
      // the other app's SecretId, signed with its own key
      signedAs(draft, holder, now, { secretId: target.secretId }),
      // the same in the vendor's scope (a client that points faceid.tencentcloudapi.com at Realname signs `faceid`)
      signedAs(draft, holder, now, { secretId: target.secretId, service: 'faceid' }),
      // the other app's SecretId as its key: a SecretId is no secret, every request shows it
      signedAs(draft, holder, now, { secretId: target.secretId, secretKey: target.secretId }),
    ];
  },
  answer(response) {
    let json: { Response?: { Error?: { Code?: unknown }; Result?: unknown; Description?: unknown; RequestId?: unknown } };
    try {
      json = JSON.parse(response.body.toString('utf8')) as typeof json;
    } catch {
      return undefined;
    }
    const r = json?.Response;
    if (typeof r !== 'object' || r === null) return undefined;
    // RequestId is the audit log's check id written as a UUID.
    const checkId = typeof r.RequestId === 'string' ? { checkId: r.RequestId.replace(/-/g, '').toLowerCase() } : {};
    if (typeof r.Error?.Code === 'string') return { code: r.Error.Code, ...checkId };
    // A Result whose Description no table of the two actions has is named so, and counted undocumented.
    if (typeof r.Result === 'string') return { code: `${ACTION_OF_ROW.get(`${r.Result}\u0000${String(r.Description)}`) ?? 'no action'}/${r.Result}`, ...checkId };
    return undefined;
  },
  status: () => 200,
  // TC3 has no single-use signature (README): a request sent again is answered and billed again while its
  // X-TC-Timestamp is inside the ±5-minute window, and refused (AuthFailure.SignatureExpire) after it —
  // the forgery 'timestamp outside 5 min' holds the service to that bound.
  singleUse: false,
  codes: {
    // Also the bank's card states (BankCardVerification -6 … -20) are billed; Realname never answers them.
    billed: ['IdCardVerification/0', 'IdCardVerification/-1', 'BankCardVerification/0', 'BankCardVerification/-1', 'BankCardVerification/-5'],
    internal: 'InternalError',
    unavailable: 'IdCardVerification/-4',
    tooLarge: 'RequestSizeLimitExceeded',
    // The order: … AuthFailure.SignatureFailure → InvalidAction … LimitExceeded → a Result. MissingParameter
    // and InvalidParameter are left out: the X-TC-Timestamp checks answer them before the signature too.
    pastSignature: [...POST_SIGNATURE_ERRORS, ...RESULT_ROWS.map((r) => `${r.action}/${r.code}`)],
  },
};
