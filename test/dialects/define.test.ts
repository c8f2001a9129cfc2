import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGate, GATE_STEPS, REFUSED } from '../../src/access/index.ts';
import type { AuditEntry } from '../../src/audit/types.ts';
import { BILL_EVERY_VERDICT } from '../../src/core/index.ts';
import { checkCharacter } from '../../src/core/id-number.ts';
import { defineDialect } from '../../src/dialects/define.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openStore } from '../../src/store/index.ts';
import type { AppPatch } from '../../src/store/types.ts';

// ---- A throw-away dialect: every gate step, in the gate's own order, in well under 80 lines. ----
interface ToyBody { appid?: string; key?: string; sig?: string; once?: string; name?: unknown; id?: string; boom?: boolean }
const toy = defineDialect({
  name: 'toy',
  routes: [{ url: '/toy', kind: 'idcard2' }],
  parsers: { 'application/json': (bytes) => JSON.parse(bytes.toString()) as unknown, '*': () => undefined },
  codes: [],
  billing: BILL_EVERY_VERDICT,
  defaults: {},
  decider(services, _options, billing) {
    const gate = createGate<ToyBody>(services, {
      dialect: 'toy',
      order: GATE_STEPS,
      billing,
      checks: {
        signature: (b, _app, secret) => (b.sig === secret?.secretKey ? undefined : REFUSED.signature_invalid),
        singleUse: (b) => (b.once ? { token: b.once, ttlMs: 60_000 } : undefined),
        request(b, claim) {
          if (b.boom) throw new Error('exploded');
          if (typeof b.name !== 'string') return { refusal: 'bad_request', detail: 'name' };
          claim.factors = { name: b.name, idNumber: b.id ?? '' };
          return undefined;
        },
      },
    });
    return async ({ body, clientIp }, exchange) => {
      const b = body as ToyBody | undefined;
      if (!b) return REFUSED.bad_request;
      return gate({ checkId: exchange.checkId, kind: exchange.kind, factors: {}, clientIp, appid: b.appid, secretId: b.key }, b);
    };
  },
  present: (d) => ({ code: 'outcome' in d ? d.outcome.verdict : d.refusal, payload: 'outcome' in d ? { verdict: d.outcome.verdict } : d }),
});
// ---- end of the dialect ----

const ID = ((b: string) => b + checkCharacter(b))('31010119960111001');
const store = openStore({ kind: 'memory' });
const house = assembleServices({ store, masterKey: randomBytes(32), bodyLimit: 1024 });
const audit: AuditEntry[] = [];
const server = Fastify();
beforeAll(async () => {
  await server.register(toy.plugin({ ...house, auditor: { record: (e) => void audit.push(e) } }));
});
afterAll(() => server.close());

// App names are unique in a store: each app of the test gets its own.
let apps = 0;
async function app(patch: AppPatch = {}) {
  const c = await house.tenants.create({ name: `toy ${++apps}` });
  await house.tenants.update(c.appid, patch);
  return { appid: c.appid, key: c.secretId, sig: c.secretKey, name: '张三', id: ID };
}
async function code(body: unknown, contentType = 'application/json'): Promise<string> {
  const reply = await server.inject({ method: 'POST', url: '/toy', headers: { 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  expect(reply.statusCode).toBe(200);
  return audit.at(-1)!.refusal ?? audit.at(-1)!.outcome!.verdict;
}

describe('a dialect defined in a few lines gets every refusal of the gate right', () => {
  it.each([
    ['app_unknown', async () => ({ ...(await app()), appid: '9' })],
    ['secret_unknown', async () => ({ ...(await app()), key: 'AKIDnone' })],
    ['secret_app_mismatch', async () => ({ ...(await app()), key: (await app()).key })],
    ['signature_invalid', async () => ({ ...(await app()), sig: 'wrong' })],
    ['bad_request', async () => ({ ...(await app()), name: 7 })],
    ['suspended', async () => app({ suspended: true })],
    ['not_permitted', async () => app({ checks: ['bankcard3'] })],
    ['ip_denied', async () => app({ ipAllow: ['10.0.0.0/8'] })],
    ['rate_limited', async () => app({ qps: 0 })],
    ['invalid', async () => ({ ...(await app()), id: '310101199601110010' })],
    ['quota_exhausted', async () => app({ quota: 0 })],
    ['not_found', async () => app()],
  ])('%s', async (expected, body) => {
    expect(await code(await body())).toBe(expected);
  });

  it('replayed: a single-use token is good once', async () => {
    const body = { ...(await app()), once: 'token-1' };
    expect(await code(body)).toBe('not_found');
    expect(await code(body)).toBe('replayed');
  });

  it('body_too_large, a rejected request, and an unexpected fault answer the dialect, never a 500', async () => {
    expect(await code({ ...(await app()), pad: 'x'.repeat(2000) })).toBe('body_too_large');
    expect(await code('{')).toBe('bad_request');
    expect(await code({ ...(await app()), boom: true })).toBe('internal');
  });

  it('audits every answer with its refusal or verdict, the app once known', async () => {
    const known = await app({ suspended: true });
    await code(known);
    expect(audit.at(-1)).toMatchObject({ dialect: 'toy', appid: known.appid, refusal: 'suspended', code: 'suspended', kind: 'idcard2' });
  });
});
