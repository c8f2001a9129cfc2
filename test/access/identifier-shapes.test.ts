import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tenants, type Credentials } from '../../src/access/tenants.ts';
import { signOriginal } from '../../src/protocols/tencent-image/signature.ts';
import { createLogger } from '../../src/log.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { AppStore, Store } from '../../src/store/types.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

const postgresUp = await requireService('postgres');

describe('the tenant directory answers ill-shaped identifiers without asking the store', () => {
  const asked: string[] = [];
  const spy = (apps: AppStore): AppStore => ({
    ...apps,
    get: (appid) => (asked.push(appid), apps.get(appid)),
    getSecret: (secretId) => (asked.push(secretId), apps.getSecret(secretId)),
  });
  const tenants = new Tenants(spy(openMemoryStore().apps), randomBytes(32));

  it.each([
    ['an appid with a NUL', '1250000001\u0000'],
    ['an appid of 21 digits', '1'.repeat(21)],
    ['an appid with letters', '12500a0001'],
    ['an empty appid', ''],
    ['an appid with a lone surrogate', '125\uD800'],
  ])('app(): %s is unknown', async (_what, appid) => {
    asked.length = 0;
    expect(await tenants.app(appid)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it.each([
    ['a SecretId with a NUL', 'AKID\u0000abc'],
    ['a SecretId of 65 characters', 'A'.repeat(65)],
    ['a SecretId with a dash', 'AKID-abc'],
    ['an empty SecretId', ''],
  ])('secret(): %s is unknown', async (_what, secretId) => {
    asked.length = 0;
    expect(await tenants.secret(secretId)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('still asks the store about identifiers of the documented shape', async () => {
    asked.length = 0;
    expect(await tenants.app('1'.repeat(20))).toBeUndefined();
    expect(await tenants.secret('A'.repeat(64))).toBeUndefined();
    expect(asked).toEqual(['1'.repeat(20), 'A'.repeat(64)]);
  });
});

/** Issue 17 #2: a NUL in an identifier reached PostgreSQL and answered an internal error (1299 / 213) to anyone. */
describe.skipIf(!postgresUp)('identifiers with a NUL, on PostgreSQL, over HTTP', () => {
  let store: Store;
  let server: FastifyInstance;
  let url: string;
  let app: Credentials;
  let drop: () => Promise<void>;
  const errors: string[] = [];

  beforeAll(async () => {
    const made = await createSchema();
    drop = made.drop;
    store = openPostgresStore({ url: POSTGRES_URL, schema: made.schema });
    const services = assembleServices({ store, masterKey: randomBytes(32) });
    app = await services.tenants.create({ name: 'shapes' });
    // The service's own logger, at error level: an internal error would be logged here with its stack.
    const stream = { write: (line: string) => void errors.push(line) };
    server = buildServer({ services, store, logger: createLogger({ level: 'error', destination: stream }) });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await drop?.();
  });

  const tencent = async (original: string) => {
    const authorization = signOriginal(original, app.secretKey);
    const response = await fetch(`${url}/auth/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ appid: app.appid, idcard_number: '110101199003077777', idcard_name: '张三' }),
    });
    return ((await response.json()) as { code: number }).code;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('SUBMAIL: an appid with a NUL is an unknown app (1201)', async () => {
    const response = await fetch(`${url}/factor/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appid: `${app.appid}\u0000`, timestamp: String(now()), signature: 'a'.repeat(64), name: '张三', idNo: '110101199003077777' }),
    });
    expect(await response.json()).toEqual({ status: 'error', code: '1201', msg: 'Incorrect APP ID' });
  });

  it('Tencent: a NUL in the signature\'s a= is an unknown appid (10), in k= an unknown SecretId (11)', async () => {
    const t = now();
    expect(await tencent(`a=${app.appid}\u0000&k=${app.secretId}&e=${t + 60}&t=${t}&r=1&u=0&f=`)).toBe(10);
    expect(await tencent(`a=${app.appid}&k=${app.secretId}\u0000&e=${t + 60}&t=${t}&r=1&u=0&f=`)).toBe(11);
  });

  it('Tencent: an ill-shaped bucket is an unknown bucket (16)', async () => {
    const t = now();
    expect(await tencent(`a=${app.appid}&b=default\u0000&k=${app.secretId}&e=${t + 60}&t=${t}&r=1&u=0&f=`)).toBe(16);
  });

  it('logged no internal error for any of them', () => {
    expect(errors.join('')).toBe('');
  });
});
