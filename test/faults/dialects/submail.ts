import { createHash } from 'node:crypto';
import type { DialectUnderTest, Draft, Tenant } from './types.ts';

/**
 * The documented signature: lowercase hex SHA-256 of `key=value` pairs joined by `&`, keys sorted, over
 * `appkey` and the signed fields (the check's fields and `timestamp`), values URL-encoded. A value that
 * cannot be URL-encoded (a lone surrogate) cannot be signed: undefined.
 */
function signature(appkey: string, signed: Record<string, string>): string | undefined {
  try {
    const pairs = Object.entries({ ...signed, appkey }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return createHash('sha256').update(pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'), 'utf8').digest('hex');
  } catch {
    return undefined;
  }
}

const SIGNED = { idcard2: ['idNo', 'name'], bankcard3: ['cardNumber', 'idNo', 'name'] } as const;

/** The fields the signature covers, as the client sends them (a non-string value is sent as it is and signed as text). */
function signedFields(draft: Draft): Record<string, string> {
  const signed: Record<string, string> = {};
  for (const key of [...SIGNED[draft.check], 'timestamp']) {
    const value = draft.fields[key];
    if (value !== undefined) signed[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return signed;
}

function stamped(draft: Draft, nowMs: number, rand: number): Draft {
  // Seconds or milliseconds, as clients send either; the milliseconds make signatures of one second distinct.
  const timestamp = rand % 2 === 0 ? String(nowMs - (nowMs % 1000) + (rand % 1000)) : String(Math.floor(nowMs / 1000));
  return { ...draft, fields: { ...draft.fields, timestamp } };
}

const withSignature = (draft: Draft, value: string | undefined): Draft => ({ ...draft, fields: { ...draft.fields, signature: value ?? 'unsignable' } });

const ROUTES = ['/factor/idcard', '/factor/card_three_auth'] as const;

/** SUBMAIL (api.mysubmail.com): POST /factor/idcard, /factor/card_three_auth, each also as .json and .xml. */
export const submail: DialectUnderTest = {
  name: 'submail',
  readmeTable: 'submail',
  routes: ROUTES.flatMap((path) => ['', '.json', '.xml'].map((suffix) => ({ path: path + suffix, check: path === ROUTES[0] ? ('idcard2' as const) : ('bankcard3' as const) }))),
  untabled: ['success'],
  encodings: ['json', 'form', 'multipart'],
  fields: (check, tenant: Tenant, p) => ({
    appid: tenant.appid,
    name: p.name,
    idNo: p.idNumber,
    ...(check === 'bankcard3' ? { cardNumber: p.bankCard } : {}),
  }),
  sign(draft, tenant, { nowMs, rand }) {
    // Single use or not is the app's replay guard (on by default), not the signature's.
    const timed = stamped(draft, nowMs, rand);
    return withSignature(timed, signature(tenant.appkey, signedFields(timed)));
  },
  forgeries: ['wrong key', 'digit changed', 'field changed after signing', 'truncated', 'missing'],
  forge(draft, tenant, { nowMs, rand }, kind) {
    const timed = stamped(draft, nowMs, rand);
    const good = signature(tenant.appkey, signedFields(timed)) ?? '0'.repeat(64);
    switch (kind) {
      case 'wrong key':
        return withSignature(timed, signature(`${tenant.appkey}x`, signedFields(timed)));
      case 'digit changed': {
        const at = rand % 64;
        const digit = good[at] === '0' ? '1' : '0';
        return withSignature(timed, good.slice(0, at) + digit + good.slice(at + 1));
      }
      case 'field changed after signing':
        return { ...withSignature(timed, good), fields: { ...timed.fields, signature: good, name: `${String(timed.fields.name)}甲` } };
      case 'truncated':
        return withSignature(timed, good.slice(0, 63));
      default: {
        const fields = { ...timed.fields };
        delete fields.signature;
        return { ...timed, fields };
      }
    }
  },
  impersonate(draft, holder, target, { nowMs, rand }) {
    // The other app's appid, signed with its own appkey (SUBMAIL names no key id: the appid is the claim).
    const timed = stamped({ ...draft, fields: { ...draft.fields, appid: target.appid } }, nowMs, rand);
    return [withSignature(timed, signature(holder.appkey, signedFields(timed)))];
  },
  answer(response) {
    const text = response.body.toString('utf8');
    if (text.startsWith('<?xml')) {
      const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
      const status = tag('status');
      if (status === 'success') return { code: 'success', ...(tag('send_id') ? { checkId: tag('send_id')! } : {}) };
      return status === 'error' && tag('code') ? { code: tag('code')! } : undefined;
    }
    try {
      const json = JSON.parse(text) as { status?: unknown; code?: unknown; send_id?: unknown };
      if (json.status === 'success') return { code: 'success', ...(typeof json.send_id === 'string' ? { checkId: json.send_id } : {}) };
      return json.status === 'error' && typeof json.code === 'string' ? { code: json.code } : undefined;
    } catch {
      return undefined;
    }
  },
  status: () => 200,
  // Tencent: `e=0`; SUBMAIL: every signature, while the app's replay guard is on (the default).
  singleUse: true,
  codes: {
    billed: ['success'],
    internal: '1299',
    unavailable: '1223',
    tooLarge: '1224',
    replayed: '1220',
    // The order: … 1204 (signature) → 1220 → 1206 → 1218 → 1216 → 1215/1222/1242 → 1203 → the verdict (or 1223).
    pastSignature: ['1220', '1206', '1218', '1216', '1215', '1222', '1242', '1203', 'success', '1223'],
  },
};
