import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealname, type Realname as Client } from '@realname/client';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { buildServer } from '../../../src/server.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import { openStore } from '../../../src/store/index.ts';
import { startRealname, type Realname } from '../../helpers/realname.ts';
import { startGateway, type Gateway } from '../../helpers/gateway.ts';

/**
 * The REST dialect through its typed client (clients/ts), over loopback against the whole house (SQLite,
 * a synthetic registry): every status and every problem type it answers, and idempotent retries.
 */

let house: Realname;
let client: Client;
const stranger = [...generateIdentities(1, 991)][0]!;

async function clientFor(spec: Parameters<Realname['createApp']>[0] = {}): Promise<{ appid: string; client: Client; keyId: string }> {
  const app = await house.createApp(spec);
  const made = await house.services.apiKeys.create(app.appid);
  return { appid: app.appid, keyId: made.keyId, client: createRealname({ baseUrl: house.url, apiKey: made.key }) };
}

const quotaOf = async (appid: string) => (await house.store.apps.get(appid))!.quota;

beforeAll(async () => {
  house = await startRealname({ identities: 5 });
  client = (await clientFor()).client;
});
afterAll(async () => {
  await house?.close();
});

describe('POST /v1/checks: verdicts', () => {
  it('answers match, mismatch and not_found with the core’s Outcome, billed', async () => {
    const p = house.people[0]!;
    const match = await client.check({ kind: 'bankcard3', factors: { name: p.name, idNumber: p.idNumber, bankCard: p.bankCard } });
    expect(match).toMatchObject({ ok: true, status: 200, data: { kind: 'bankcard3', verdict: 'match', source: 'registry', billed: true } });
    if (!match.ok) throw new Error('unreachable');
    expect(match.data.id).toMatch(/^[0-9a-f]{32}$/);
    expect(match.data.subject?.birthDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(Date.parse(match.data.createdAt)).toBeGreaterThan(0);

    const mismatch = await client.check({ kind: 'idcard2', factors: { name: house.people[1]!.name, idNumber: p.idNumber } });
    expect(mismatch).toMatchObject({ ok: true, data: { verdict: 'mismatch', mismatched: ['name'], billed: true } });

    const none = await client.check({ kind: 'idcard2', factors: { name: stranger.name, idNumber: stranger.idNumber } });
    expect(none).toMatchObject({ ok: true, data: { verdict: 'not_found', billed: true } });
  });

  it('answers factors that fail validation as 200 verdict invalid, unbilled', async () => {
    const limited = await clientFor({ quota: 5 });
    const p = house.people[0]!;
    const broken = p.idNumber.slice(0, 17) + (p.idNumber.endsWith('1') ? '2' : '1');
    const answer = await limited.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: broken } });
    expect(answer).toMatchObject({ ok: true, status: 200, data: { verdict: 'invalid', invalid: { field: 'idNumber', reason: 'checksum' }, billed: false, source: 'validation' } });
    expect(await quotaOf(limited.appid)).toBe(5);
  });
});

describe('POST /v1/checks: problems', () => {
  const p = () => house.people[0]!;
  const idcard2 = () => ({ kind: 'idcard2' as const, factors: { name: p().name, idNumber: p().idNumber } });

  it('takes the Bearer scheme in any case (RFC 9110: auth schemes are case-insensitive)', async () => {
    const own = await clientFor();
    const made = await house.services.apiKeys.create(own.appid);
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const answer = await client.raw.POST('/v1/checks', { body: idcard2(), headers: { authorization: `${scheme} ${made.key}` } });
      expect(answer.response.status, scheme).toBe(200);
      expect(answer.data).toMatchObject({ verdict: 'match' });
    }
  });

  it('401: no key, a malformed key, an unknown key, a wrong secret, a revoked key', async () => {
    const missing = await client.raw.POST('/v1/checks', { body: idcard2(), headers: { authorization: null } as never });
    expect(missing.response.status).toBe(401);
    expect(missing.error).toMatchObject({ type: 'urn:realname:problem:api_key_missing', status: 401 });
    expect(missing.response.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const malformed = await createRealname({ baseUrl: house.url, apiKey: 'secret' }).check(idcard2());
    expect(malformed).toMatchObject({ ok: false, status: 401, problem: { type: 'urn:realname:problem:api_key_malformed' } });

    const unknown = await createRealname({ baseUrl: house.url, apiKey: `rn_live_${'A'.repeat(16)}_${'b'.repeat(32)}` }).check(idcard2());
    expect(unknown).toMatchObject({ ok: false, status: 401, problem: { type: 'urn:realname:problem:api_key_invalid' } });

    const own = await clientFor();
    const made = await house.services.apiKeys.create(own.appid);
    const wrong = made.key.slice(0, -1) + (made.key.endsWith('a') ? 'b' : 'a');
    expect(await createRealname({ baseUrl: house.url, apiKey: wrong }).check(idcard2())).toMatchObject({ ok: false, status: 401, problem: { type: 'urn:realname:problem:api_key_invalid' } });

    await house.services.apiKeys.revoke(own.appid, made.keyId);
    expect(await createRealname({ baseUrl: house.url, apiKey: made.key }).check(idcard2())).toMatchObject({ ok: false, status: 401, problem: { type: 'urn:realname:problem:api_key_revoked' } });
  });

  it('400: a body that is not JSON, or a key given twice; 415: not JSON at all', async () => {
    const broken = await client.raw.POST('/v1/checks', { body: idcard2(), bodySerializer: () => '{"kind":' });
    expect(broken.response.status).toBe(400);
    expect(broken.error).toMatchObject({ type: 'urn:realname:problem:bad_request' });
    const twice = await client.raw.POST('/v1/checks', { body: idcard2(), bodySerializer: () => '{"kind":"idcard2","kind":"phone3","factors":{}}' });
    expect(twice.error).toMatchObject({ type: 'urn:realname:problem:bad_request', status: 400 });
    const badUtf8 = await client.raw.POST('/v1/checks', { body: idcard2(), bodySerializer: () => new Uint8Array([0x7b, 0xff, 0x7d]) as never });
    expect(badUtf8.error).toMatchObject({ type: 'urn:realname:problem:bad_request' });
    const text = await client.raw.POST('/v1/checks', { body: idcard2(), bodySerializer: () => 'kind=idcard2', headers: { 'content-type': 'text/plain' } });
    expect(text.response.status).toBe(415);
    expect(text.error).toMatchObject({ type: 'urn:realname:problem:unsupported_media_type' });
  });

  it('413: a body over the limit', async () => {
    const answer = await client.check({ kind: 'idcard2', factors: { name: 'x'.repeat(20_000), idNumber: p().idNumber } });
    expect(answer).toMatchObject({ ok: false, status: 413, problem: { type: 'urn:realname:problem:body_too_large' } });
  });

  it('422: not a check — an unknown kind, a factor missing for the kind or not of it, a wrong type — each field listed', async () => {
    const unknownKind = await client.check({ kind: 'idcard9' as never, factors: {} });
    expect(unknownKind).toMatchObject({ ok: false, status: 422, problem: { type: 'urn:realname:problem:invalid_request', errors: [{ field: 'kind', reason: 'value' }] } });
    const missing = await client.check({ kind: 'bankcard3', factors: { name: p().name } });
    expect(missing.ok ? [] : missing.problem.errors).toEqual([
      { field: 'factors.idNumber', reason: 'missing' },
      { field: 'factors.bankCard', reason: 'missing' },
    ]);
    const extra = await client.check({ kind: 'idcard2', factors: { name: p().name, idNumber: p().idNumber, phone: p().phone } });
    expect(extra.ok ? [] : extra.problem.errors).toEqual([{ field: 'factors.phone', reason: 'unknown' }]);
    const typed = await client.check({ kind: 'idcard2', factors: { name: 42 as never, idNumber: p().idNumber }, more: 1 } as never);
    expect(typed.ok ? [] : typed.problem.errors).toEqual(expect.arrayContaining([{ field: 'more', reason: 'unknown' }, { field: 'factors.name', reason: 'type' }]));
    // A key not fit to quote (it could be a factor itself) is not echoed.
    const quoted = await client.check({ kind: 'idcard2', factors: {}, [p().idNumber]: 1 } as never);
    expect(JSON.stringify(quoted)).not.toContain(p().idNumber);
  });

  it('403: suspended, a kind not permitted, an address not allowed', async () => {
    const suspended = await clientFor();
    await house.services.tenants.update(suspended.appid, { suspended: true });
    expect(await suspended.client.check(idcard2())).toMatchObject({ ok: false, status: 403, problem: { type: 'urn:realname:problem:app_suspended' } });
    const narrow = await clientFor({ checks: ['phone3'] });
    expect(await narrow.client.check(idcard2())).toMatchObject({ ok: false, status: 403, problem: { type: 'urn:realname:problem:kind_not_permitted' } });
    const fenced = await clientFor({ ipAllow: ['10.0.0.0/8'] });
    expect(await fenced.client.check(idcard2())).toMatchObject({ ok: false, status: 403, problem: { type: 'urn:realname:problem:ip_denied' } });
  });

  it('429 with Retry-After: over the QPS, and an identity checked as often today as allowed', async () => {
    const slow = await clientFor();
    await house.services.tenants.update(slow.appid, { qps: 0 });
    expect(await slow.client.check(idcard2())).toMatchObject({ ok: false, status: 429, retryAfter: 1, problem: { type: 'urn:realname:problem:rate_limited' } });
    const daily = await clientFor({ dailyPerId: 1 });
    expect(await daily.client.check(idcard2())).toMatchObject({ ok: true });
    const again = await daily.client.check(idcard2());
    expect(again).toMatchObject({ ok: false, status: 429, problem: { type: 'urn:realname:problem:daily_limited' } });
    expect(again.ok ? 0 : again.retryAfter).toBeGreaterThan(0);
    expect(again.ok ? 0 : again.retryAfter).toBeLessThanOrEqual(86_400);
  });

  it('402: the quota is spent', async () => {
    const spent = await clientFor({ quota: 0 });
    expect(await spent.client.check(idcard2())).toMatchObject({ ok: false, status: 402, problem: { type: 'urn:realname:problem:quota_exhausted' } });
  });
});

describe('503 with Retry-After when no source answers', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
    // A vendor nobody listens for: every call is refused at connect.
    await gateway.admin.add('down', 'aliyun', { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', accessKeySecret: 'b' } });
    await gateway.admin.setRoute('phone3', 'down');
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers source_unavailable, unbilled', async () => {
    const made = await gateway.services.apiKeys.create(gateway.app.appid);
    const before = (await gateway.store.apps.get(gateway.app.appid))!.quota;
    const answer = await createRealname({ baseUrl: gateway.url, apiKey: made.key }).check({ kind: 'phone3', factors: { name: stranger.name, idNumber: stranger.idNumber, phone: stranger.phone } });
    expect(answer).toMatchObject({ ok: false, status: 503, problem: { type: 'urn:realname:problem:source_unavailable' } });
    expect(answer.ok ? 0 : answer.retryAfter).toBeGreaterThan(0);
    await gateway.store.audit.flush();
    expect((await gateway.store.apps.get(gateway.app.appid))!.quota).toBe(before);
  });
});

describe('GET /v1/checks/{id}', () => {
  it('reads a check back from the audit, masked; another app’s id is not found', async () => {
    const p = house.people[2]!;
    const made = await client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } });
    if (!made.ok) throw new Error(`check answered ${made.status}`);
    const read = await client.getCheck(made.data.id);
    expect(read).toMatchObject({ ok: true, status: 200, data: { id: made.data.id, kind: 'idcard2', verdict: 'match', refusal: null, source: 'registry', billed: true } });
    if (!read.ok) throw new Error('unreachable');
    expect(read.data.factors.idNumber).toMatch(/^\d{4}\*+.{4}$/);
    expect(JSON.stringify(read.data)).not.toContain(p.idNumber);
    expect(JSON.stringify(read.data)).not.toContain(p.name);

    const other = await clientFor();
    expect(await other.client.getCheck(made.data.id)).toMatchObject({ ok: false, status: 404, problem: { type: 'urn:realname:problem:check_not_found' } });
    expect(await client.getCheck('not-an-id')).toMatchObject({ ok: false, status: 404 });
    expect(await createRealname({ baseUrl: house.url, apiKey: 'x' }).getCheck(made.data.id)).toMatchObject({ ok: false, status: 401 });
  });

  it('reads a refused check back with the problem it was answered with, beside the audit\'s reason', async () => {
    const refused = await client.check({ kind: 'idcard2', factors: { name: house.people[2]!.name } } as never);
    if (refused.ok) throw new Error('a check without an ID number was answered');
    expect(refused).toMatchObject({ status: 422, problem: { type: 'urn:realname:problem:invalid_request' } });
    await house.store.audit.flush();
    const read = await client.getCheck(String(refused.problem.checkId));
    expect(read).toMatchObject({ ok: true, data: { verdict: null, refusal: 'parameter_missing', problem: 'urn:realname:problem:invalid_request', billed: false } });
  });
});

describe('Idempotency-Key', () => {
  it('50 parallel POSTs with one key: one check billed, 50 identical answers', async () => {
    const one = await clientFor({ quota: 100 });
    const p = house.people[3]!;
    const body = { kind: 'idcard2' as const, factors: { name: p.name, idNumber: p.idNumber } };
    const answers = await Promise.all(Array.from({ length: 50 }, () => one.client.check(body, { idempotencyKey: 'retry-1' })));
    const bodies = new Set(answers.map((a) => JSON.stringify(a.ok ? a.data : a.problem)));
    expect(answers.every((a) => a.ok && a.status === 200)).toBe(true);
    expect(bodies.size).toBe(1);
    expect(answers.filter((a) => a.ok && !a.replayed)).toHaveLength(1);
    await house.store.audit.flush();
    expect(await quotaOf(one.appid)).toBe(99);
    const billed = (await house.store.audit.query({ appid: one.appid, limit: 1000 })).filter((r) => r.billed);
    expect(billed).toHaveLength(1);
  });

  it('the same key with another body is 422; an unkept refusal is answered afresh; after 24 h the key is new', async () => {
    const one = await clientFor({ quota: 100 });
    const p = house.people[4]!;
    const first = await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'k' });
    expect(first).toMatchObject({ ok: true, replayed: false });
    const other = await one.client.check({ kind: 'idcard2', factors: { name: house.people[0]!.name, idNumber: p.idNumber } }, { idempotencyKey: 'k' });
    expect(other).toMatchObject({ ok: false, status: 422, problem: { type: 'urn:realname:problem:idempotency_key_reused' } });
    expect(await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'k' })).toMatchObject({ ok: true, replayed: true });

    // A quota refusal is not kept: once quota is added the same key answers.
    await house.services.tenants.update(one.appid, { quota: 0 });
    expect(await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'q' })).toMatchObject({ ok: false, status: 402 });
    await house.services.tenants.update(one.appid, { quota: 10 });
    expect(await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'q' })).toMatchObject({ ok: true, replayed: false });

    house.setNow(Date.now() + 24 * 3600_000 + 1000);
    try {
      expect(await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'k' })).toMatchObject({ ok: true, replayed: false });
    } finally {
      house.setNow();
    }
    const junk = await one.client.check({ kind: 'idcard2', factors: { name: p.name, idNumber: p.idNumber } }, { idempotencyKey: 'é' });
    expect(junk).toMatchObject({ ok: false, status: 400, problem: { type: 'urn:realname:problem:bad_request', detail: 'Idempotency-Key is malformed' } });
  });
});

describe('503 batches_unavailable where the store keeps no batches', () => {
  it('answers the memory store’s batch routes with a problem and Retry-After', async () => {
    const store = openStore({ kind: 'memory' });
    const services = assembleServices({ store, masterKey: randomBytes(32) });
    const server = buildServer({ services, store });
    try {
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      const app = await services.tenants.create({ name: 'memory batches' });
      const { key } = await services.apiKeys.create(app.appid);
      const memory = createRealname({ baseUrl: url, apiKey: key });
      const answer = await memory.createBatch('{"name":"x","idNumber":"1"}\n', { format: 'jsonl', kind: 'idcard2' });
      expect(answer).toMatchObject({ ok: false, status: 503, problem: { type: 'urn:realname:problem:batches_unavailable' } });
      expect(answer.ok ? 0 : answer.retryAfter).toBeGreaterThan(0);
      expect(await memory.getBatch('f'.repeat(32))).toMatchObject({ ok: false, status: 503 });
    } finally {
      await server.close();
      await store.close();
    }
  });
});
